// The table of contents follows the reader: the link of the section being
// read is highlighted, and the language switch keeps the reader's section
// (and, on the search and list pages, the query as it is now).
//
// The sections of a pattern page are laid out only when they come near
// the screen (content-visibility: auto in site.css), so the highlight
// never asks for a box's position, which would lay out the whole page
// again: IntersectionObservers tell it which headings have passed the
// reading line and which are on screen.

const OFFSET = 120; // below the sticky header, where a followed #link lands (scroll-padding-top), with slack
const FAR = 1e6; // px: a root margin that reaches every heading above the screen

export function initTOC() {
  keepPlaceOnLanguageSwitch();
  const targets = tocTargets();
  if (targets.length === 0) return;
  const state = { passed: new Set(), onScreen: new Set(), atBottom: false, followed: decodeURIComponent(location.hash.slice(1)) };
  let scheduled = false;
  const update = () => {
    scheduled = false;
    const id = currentHeading(targets, state);
    for (const t of targets) t.link.classList.toggle("active", t.id === id);
  };
  const schedule = () => {
    if (!scheduled) {
      scheduled = true;
      requestAnimationFrame(update);
    }
  };
  observe(targets, state, schedule);
  window.addEventListener("hashchange", () => {
    state.followed = decodeURIComponent(location.hash.slice(1));
    schedule();
  });
}

// tocTargets lists, in page order, what each TOC link points at: the
// section of an H2 (its box is laid out even while its content is
// skipped), or an H3 heading with the section holding it.
function tocTargets() {
  const targets = [];
  for (const link of document.querySelectorAll(".toc a[href^='#']")) {
    const id = decodeURIComponent(link.hash.slice(1));
    const heading = document.getElementById(id);
    if (!heading) continue;
    const section = heading.closest("section") ?? heading;
    const el = heading.tagName === "H2" ? section : heading;
    targets.push({ id, link, el, section });
  }
  return targets;
}

// observe keeps state.passed (targets whose top is above the reading
// line), state.onScreen and state.atBottom (the footer fully shown) up to
// date, and calls changed after each report. The line observer's margin
// is in pixels, so it is made for the screen's height and made again when
// that changes.
function observe(targets, state, changed) {
  const els = new Set(targets.flatMap((t) => [t.el, t.section]));
  const record = (set) => (entries) => {
    for (const e of entries) e.isIntersecting ? set.add(e.target) : set.delete(e.target);
    changed();
  };
  let line, height;
  const watchLine = (h) => {
    if (h === height) return;
    height = h;
    line?.disconnect();
    state.passed.clear();
    line = new IntersectionObserver(record(state.passed), { rootMargin: `${FAR}px 0px ${OFFSET - h}px 0px` });
    for (const el of els) line.observe(el);
  };
  // The screen's height comes with the first report (reading innerHeight
  // now would lay the page out before its first frame).
  const onScreen = record(state.onScreen);
  const screen = new IntersectionObserver((entries) => {
    watchLine(entries[0].rootBounds?.height ?? innerHeight);
    onScreen(entries);
  });
  for (const t of targets) screen.observe(t.el);
  window.addEventListener("resize", () => watchLine(document.documentElement.clientHeight));
  const footer = document.querySelector(".site-footer");
  if (footer) {
    new IntersectionObserver((entries) => {
      state.atBottom = entries[entries.length - 1].intersectionRatio >= 1;
      changed();
    }, { rootMargin: "0px 0px 2px 0px", threshold: 1 }).observe(footer);
  }
}

// currentHeading is the id of the section being read: the last target
// above the reading line (an H3 counts only while its section is above
// it too, so what a browser reports for a heading inside a section it
// skips cannot matter). At the
// bottom of the page, where the last sections can never reach the line,
// it is the followed heading if that is on screen, else the last one on
// screen.
export function currentHeading(targets, state) {
  let current = targets[0].id;
  for (const t of targets) {
    if (state.passed.has(t.el) && state.passed.has(t.section)) current = t.id;
  }
  if (state.atBottom && window.scrollY > 0) {
    const visible = targets.filter((t) => state.onScreen.has(t.el)).map((t) => t.id);
    if (state.followed && (state.followed === current || visible.includes(state.followed))) return state.followed;
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
