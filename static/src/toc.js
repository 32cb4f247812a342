// The table of contents follows the reader: the link of the section being
// read is highlighted, and the language switch keeps the reader's section.

const OFFSET = 120; // below the sticky header, where a followed #link lands (scroll-padding-top), with slack

export function initTOC() {
  const links = new Map();
  for (const a of document.querySelectorAll(".toc a[href^='#']")) {
    links.set(decodeURIComponent(a.hash.slice(1)), a);
  }
  keepSectionOnLanguageSwitch();
  if (links.size === 0) return;
  const headings = [...document.querySelectorAll("main h2[id], main h3[id]")].filter((h) => links.has(h.id));
  let scheduled = false;
  const update = () => {
    scheduled = false;
    // The section being read is the last heading above the top edge.
    let current = headings[0]?.id;
    for (const h of headings) {
      if (h.getBoundingClientRect().top <= OFFSET) current = h.id;
      else break;
    }
    for (const [id, a] of links) a.classList.toggle("active", id === current);
  };
  document.addEventListener("scroll", () => {
    if (!scheduled) {
      scheduled = true;
      requestAnimationFrame(update);
    }
  }, { passive: true });
  update();
}

// The switch links to the same page in the other language; section IDs are
// the same in both, so carry the section being read along.
function keepSectionOnLanguageSwitch() {
  const link = document.querySelector("a.lang-switch");
  if (!link) return;
  link.addEventListener("click", () => {
    const active = document.querySelector(".toc a.active");
    const hash = active && window.scrollY > 0 ? active.hash : location.hash;
    if (hash) link.hash = hash;
  });
}
