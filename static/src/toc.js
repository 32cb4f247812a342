// The table of contents follows the reader: the link of the section being
// read is highlighted, and the language switch keeps the reader's section
// (and, on the search and list pages, the query as it is now).

const OFFSET = 120; // below the sticky header, where a followed #link lands (scroll-padding-top), with slack

export function initTOC() {
  const links = new Map();
  for (const a of document.querySelectorAll(".toc a[href^='#']")) {
    links.set(decodeURIComponent(a.hash.slice(1)), a);
  }
  keepPlaceOnLanguageSwitch();
  if (links.size === 0) return;
  const headings = [...document.querySelectorAll("main h2[id], main h3[id]")].filter((h) => links.has(h.id));
  // followed is the heading of the last #link followed: at the bottom of
  // the page several short sections are on screen at once, and the one the
  // reader asked for is the one being read.
  let followed = decodeURIComponent(location.hash.slice(1));
  let scheduled = false;
  const update = () => {
    scheduled = false;
    const id = currentHeading(headings, followed);
    for (const [key, a] of links) a.classList.toggle("active", key === id);
  };
  window.addEventListener("hashchange", () => {
    followed = decodeURIComponent(location.hash.slice(1));
    update();
  });
  document.addEventListener("scroll", () => {
    if (!scheduled) {
      scheduled = true;
      requestAnimationFrame(update);
    }
  }, { passive: true });
  update();
}

// currentHeading is the id of the section being read: the last heading
// above the top edge. At the bottom of the page, where the last sections
// can never reach the top, it is the followed heading if that section is
// on screen (its heading, or its text at the top), else the last heading
// on screen.
export function currentHeading(headings, followed) {
  let current = headings[0]?.id;
  for (const h of headings) {
    if (h.getBoundingClientRect().top <= OFFSET) current = h.id;
    else break;
  }
  const root = document.documentElement;
  if (window.scrollY > 0 && window.innerHeight + window.scrollY >= root.scrollHeight - 2) {
    const visible = headings.filter((h) => {
      const top = h.getBoundingClientRect().top;
      return top >= 0 && top < window.innerHeight;
    }).map((h) => h.id);
    if (followed && (followed === current || visible.includes(followed))) return followed;
    if (visible.length > 0) return visible[visible.length - 1];
  }
  return current;
}

// The switch links to the same page in the other language; section IDs are
// the same in both, so carry the section being read along, and on pages
// whose query is what the reader looks at (search, filters) the query as
// it is now, which a script may have changed since the page was served.
function keepPlaceOnLanguageSwitch() {
  const link = document.querySelector("a.lang-switch");
  if (!link) return;
  link.addEventListener("click", () => {
    if ("keepQuery" in link.dataset) link.search = location.search;
    const active = document.querySelector(".toc a.active");
    const hash = active && window.scrollY > 0 ? active.hash : location.hash;
    if (hash) link.hash = hash;
  });
}
