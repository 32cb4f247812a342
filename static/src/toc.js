// The table of contents follows the reader: the link of the section in view
// is highlighted, and the language switch keeps the reader's section.

export function initTOC() {
  const links = new Map();
  for (const a of document.querySelectorAll(".toc a[href^='#']")) {
    links.set(decodeURIComponent(a.hash.slice(1)), a);
  }
  keepSectionOnLanguageSwitch();
  if (links.size === 0 || !window.IntersectionObserver) return;
  const headings = [...document.querySelectorAll("main h2[id], main h3[id]")].filter((h) => links.has(h.id));
  let current = null;
  const observer = new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        if (e.isIntersecting) current = e.target.id;
      }
      for (const [id, a] of links) a.classList.toggle("active", id === current);
    },
    { rootMargin: "-70px 0px -70% 0px" },
  );
  headings.forEach((h) => observer.observe(h));
}

// The switch links to the same page in the other language; the section IDs
// are the same in both, so carry the current section along.
function keepSectionOnLanguageSwitch() {
  const link = document.querySelector("a.lang-switch");
  if (!link) return;
  link.addEventListener("click", () => {
    const active = document.querySelector(".toc a.active");
    const hash = location.hash || (active ? active.hash : "");
    if (hash) link.hash = hash;
  });
}
