// The navigation drawer of narrow screens: a <details> in the header that
// opens and closes without JavaScript. This adds what a modal drawer
// needs from the keyboard: Escape closes it, Tab and Shift+Tab cycle
// inside it while it is open, and focus returns to the menu button when it
// closes. On wide screens the same tree is the sidebar and none of this
// applies.

const WIDE = window.matchMedia("(min-width: 75rem)");

export function initDrawer() {
  const drawer = document.querySelector("details.drawer");
  if (!drawer) return;
  const summary = drawer.querySelector(":scope > summary");
  const modal = () => drawer.open && !WIDE.matches;
  const close = () => {
    drawer.open = false;
    summary.focus();
  };
  document.addEventListener("keydown", (e) => {
    if (!modal()) return;
    if (e.key === "Escape") {
      e.preventDefault();
      close();
    } else if (e.key === "Tab") {
      trapTab(e, focusables(drawer, summary));
    }
  });
  // A click outside the open drawer (the header's other controls) closes
  // it; a click on the dimmed page lands on the summary and closes it too.
  document.addEventListener("click", (e) => {
    if (modal() && !drawer.contains(e.target)) drawer.open = false;
  });
  drawer.addEventListener("toggle", () => {
    if (!drawer.open && drawer.contains(document.activeElement)) summary.focus();
  });
}

function focusables(drawer, summary) {
  const inside = drawer.querySelectorAll(".sidebar a[href], .sidebar button, .sidebar summary");
  return [summary, ...[...inside].filter((el) => el.offsetParent !== null)];
}

// trapTab keeps Tab within items: past the last it goes to the first, and
// Shift+Tab before the first to the last.
function trapTab(e, items) {
  const first = items[0], last = items[items.length - 1];
  const at = document.activeElement;
  if (e.shiftKey && (at === first || !items.includes(at))) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && (at === last || !items.includes(at))) {
    e.preventDefault();
    first.focus();
  }
}
