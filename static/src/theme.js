// Theme toggle: follow the system, then the other theme than the
// system's, then the system's own, in turn, so the first click always
// changes what the reader sees. The server renders
// <html data-theme> from the "theme" cookie, so a page never flashes the
// wrong theme; without the cookie (following the system) the stylesheet's
// light-dark() colours follow prefers-color-scheme. The button keeps its
// place while hidden (site.css), so revealing it here shifts nothing.

const LABELS = ["system", "light", "dark"]; // the order of data-labels
const dark = window.matchMedia("(prefers-color-scheme: dark)");

export function initTheme() {
  const button = document.querySelector(".theme-toggle");
  if (!button) return;
  const labels = (button.dataset.labels || "").split("|");
  const name = button.getAttribute("aria-label");
  const colon = document.documentElement.lang.startsWith("zh") ? "：" : ": ";
  const show = (theme) => {
    const label = name + colon + (labels[LABELS.indexOf(theme)] || theme);
    button.dataset.theme = theme;
    button.setAttribute("aria-label", label);
    button.title = label;
  };
  show(current());
  button.hidden = false;
  button.addEventListener("click", () => {
    const order = dark.matches ? ["system", "light", "dark"] : ["system", "dark", "light"];
    const next = order[(order.indexOf(current()) + 1) % order.length];
    apply(next);
    show(next);
  });
  dark.addEventListener("change", () => {
    if (current() === "system") announce();
  });
}

// current is the reader's choice: "system" when there is none.
function current() {
  return document.documentElement.dataset.theme || "system";
}

function apply(theme) {
  const root = document.documentElement;
  if (theme === "system") {
    delete root.dataset.theme;
    document.cookie = "theme=; path=/; max-age=0; samesite=lax";
  } else {
    root.dataset.theme = theme;
    document.cookie = `theme=${theme}; path=/; max-age=31536000; samesite=lax`;
  }
  announce();
}

// announce tells features drawn in the theme's colours (diagrams) that
// the colours changed; detail is "light" or "dark".
function announce() {
  document.dispatchEvent(new CustomEvent("lamport:theme", { detail: isDark() ? "dark" : "light" }));
}

export function isDark() {
  const theme = document.documentElement.dataset.theme;
  if (theme) return theme === "dark";
  return dark.matches;
}
