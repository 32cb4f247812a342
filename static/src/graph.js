// The knowledge graph's interactions. The server draws the whole graph as
// SVG and it reads without this script; here it gains pan (pointer drag),
// zoom (wheel and buttons), hover highlight of a node's neighbourhood,
// filters by relation type and category, and focus on a searched pattern.
// Pattern pages' local graphs get the hover highlight only.

const ZOOM_STEP = 1.25;
const MIN_SCALE = 0.25; // of the whole drawing's width, at most 4× out...
const MAX_SCALE = 8; // ...and 8× in

export function initGraph() {
  for (const svg of document.querySelectorAll("svg.graph")) {
    initHover(svg);
  }
  const view = document.querySelector("[data-graph]");
  if (!view) return;
  const svg = view.querySelector("svg.graph");
  const camera = newCamera(svg);
  initPan(svg, camera);
  initZoom(view, svg, camera);
  initFilters(view, svg);
  initFocus(view, svg, camera);
  view.querySelector("[data-graph-controls]").hidden = false;
}

// newCamera keeps the SVG's viewBox: the part of the drawing in view.
function newCamera(svg) {
  const [x, y, w, h] = svg.dataset.viewbox.split(" ").map(Number);
  const home = { x, y, w, h };
  const cam = { ...home };
  const apply = () => svg.setAttribute("viewBox", `${cam.x} ${cam.y} ${cam.w} ${cam.h}`);
  return {
    // pan moves the view by a distance in screen pixels.
    pan(dx, dy) {
      const k = cam.w / svg.clientWidth;
      cam.x -= dx * k;
      cam.y -= dy * k;
      apply();
    },
    // zoom scales the view by f around a point in drawing units.
    zoom(f, cx = cam.x + cam.w / 2, cy = cam.y + cam.h / 2) {
      const w = Math.min(Math.max(cam.w / f, home.w / MAX_SCALE), home.w / MIN_SCALE);
      const g = cam.w / w;
      cam.x = cx - (cx - cam.x) / g;
      cam.y = cy - (cy - cam.y) / g;
      cam.h /= g;
      cam.w = w;
      apply();
    },
    centre(x, y, scale) {
      cam.w = home.w / scale;
      cam.h = home.h / scale;
      cam.x = x - cam.w / 2;
      cam.y = y - cam.h / 2;
      apply();
    },
    reset() {
      Object.assign(cam, home);
      apply();
    },
    // toDrawing turns a pointer's client position into drawing units.
    toDrawing(clientX, clientY) {
      const r = svg.getBoundingClientRect();
      return { x: cam.x + ((clientX - r.left) / r.width) * cam.w, y: cam.y + ((clientY - r.top) / r.height) * cam.h };
    },
  };
}

// initPan drags the view with any pointer. A drag that moved is not a
// click, so letting go over a node does not follow its link.
function initPan(svg, camera) {
  let drag = null;
  let dragged = false;
  svg.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    drag = { id: e.pointerId, x: e.clientX, y: e.clientY, moved: 0 };
    dragged = false;
  });
  svg.addEventListener("pointermove", (e) => {
    if (!drag || e.pointerId !== drag.id) return;
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    drag.moved += Math.abs(dx) + Math.abs(dy);
    drag.x = e.clientX;
    drag.y = e.clientY;
    if (drag.moved > 4) {
      if (!svg.classList.contains("panning")) {
        svg.classList.add("panning");
        svg.setPointerCapture(e.pointerId);
      }
      camera.pan(dx, dy);
    }
  });
  const end = () => {
    if (drag && drag.moved > 4) dragged = true;
    drag = null;
    svg.classList.remove("panning");
  };
  svg.addEventListener("pointerup", end);
  svg.addEventListener("pointercancel", end);
  svg.addEventListener(
    "click",
    (e) => {
      if (dragged) {
        e.preventDefault();
        e.stopPropagation();
        dragged = false;
      }
    },
    true,
  );
}

function initZoom(view, svg, camera) {
  svg.addEventListener(
    "wheel",
    (e) => {
      e.preventDefault();
      const p = camera.toDrawing(e.clientX, e.clientY);
      camera.zoom(e.deltaY < 0 ? ZOOM_STEP : 1 / ZOOM_STEP, p.x, p.y);
    },
    { passive: false },
  );
  view.querySelector('[data-zoom="in"]').addEventListener("click", () => camera.zoom(ZOOM_STEP));
  view.querySelector('[data-zoom="out"]').addEventListener("click", () => camera.zoom(1 / ZOOM_STEP));
  view.querySelector('[data-zoom="reset"]').addEventListener("click", () => camera.reset());
}

// neighbours maps each slug to its edges and the slugs they join it to.
function neighbours(svg) {
  const near = new Map();
  const at = (slug) => {
    if (!near.has(slug)) near.set(slug, { edges: [], slugs: new Set([slug]) });
    return near.get(slug);
  };
  for (const edge of svg.querySelectorAll(".edge[data-from]")) {
    const { from, to } = edge.dataset;
    at(from).edges.push(edge);
    at(from).slugs.add(to);
    at(to).edges.push(edge);
    at(to).slugs.add(from);
  }
  return near;
}

// initHover fades everything but the pointed node, its edges and its
// neighbours. Only the elements that change are touched, so hovering
// stays cheap on the whole graph.
function initHover(svg) {
  const near = neighbours(svg);
  const nodes = new Map([...svg.querySelectorAll(".node[data-slug]")].map((n) => [n.dataset.slug, n]));
  let lit = [];
  const clear = () => {
    for (const el of lit) el.classList.remove("near");
    lit = [];
    svg.classList.remove("hovering");
  };
  const light = (slug) => {
    clear();
    const n = near.get(slug) ?? { edges: [], slugs: new Set([slug]) };
    for (const s of n.slugs) if (nodes.has(s)) lit.push(nodes.get(s));
    lit.push(...n.edges);
    for (const el of lit) el.classList.add("near");
    svg.classList.add("hovering");
  };
  svg.addEventListener("pointerover", (e) => {
    const node = e.target.closest(".node");
    if (node && !svg.classList.contains("panning")) light(node.dataset.slug);
  });
  svg.addEventListener("pointerout", (e) => {
    if (e.target.closest(".node") && !e.relatedTarget?.closest?.(".node")) clear();
  });
  svg.addEventListener("focusin", (e) => {
    const node = e.target.closest(".node");
    if (node) light(node.dataset.slug);
  });
  svg.addEventListener("focusout", clear);
}

// initFilters shows the legend's checkboxes (relation types) and the
// category list; an unchecked type hides its edges and table rows, an
// unchecked category its nodes and their edges.
function initFilters(view, svg) {
  const types = view.querySelector('[data-graph-filter="type"]');
  const cats = view.querySelector('[data-graph-filter="category"]');
  for (const box of types.querySelectorAll("[data-graph-toggle]")) box.hidden = false;
  cats.hidden = false;
  const rows = document.querySelectorAll(".edge-table tr[data-type]");
  const apply = () => {
    const offTypes = new Set([...types.querySelectorAll("input:not(:checked)")].map((b) => b.value));
    const offCats = new Set([...cats.querySelectorAll("input:not(:checked)")].map((b) => b.value));
    const hidden = new Set();
    for (const node of svg.querySelectorAll(".node[data-slug]")) {
      const off = offCats.has(node.dataset.cat);
      node.classList.toggle("off", off);
      if (off) hidden.add(node.dataset.slug);
    }
    for (const edge of svg.querySelectorAll(".edge[data-from]")) {
      const { from, to, type } = edge.dataset;
      edge.classList.toggle("off", offTypes.has(type) || hidden.has(from) || hidden.has(to));
    }
    for (const row of rows) row.hidden = offTypes.has(row.dataset.type);
  };
  types.addEventListener("change", apply);
  cats.addEventListener("change", apply);
}

// initFocus finds a pattern by name (exact, else the first that contains
// the words typed), centres and zooms on it, and moves keyboard focus to
// it when it is a link.
function initFocus(view, svg, camera) {
  const form = view.querySelector("[data-graph-focus]");
  const status = form.querySelector(".graph-status");
  const nodes = [...svg.querySelectorAll(".node[data-slug]")];
  const name = (n) => n.querySelector("title").textContent.toLowerCase();
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const q = form.elements.focus.value.trim().toLowerCase();
    if (!q) return;
    const node = nodes.find((n) => name(n) === q || n.dataset.slug === q) ?? nodes.find((n) => name(n).includes(q));
    for (const n of nodes) n.classList.remove("focused");
    if (!node) {
      status.textContent = view.dataset.none.replace("%s", form.elements.focus.value.trim());
      return;
    }
    status.textContent = "";
    const c = node.querySelector("circle");
    node.classList.add("focused");
    camera.centre(Number(c.getAttribute("cx")), Number(c.getAttribute("cy")), 2.5);
    if (node.tagName.toLowerCase() === "a") node.focus({ preventScroll: true });
  });
}

// initPaths keeps a learning path's progress in localStorage: a checkbox
// per written step, a count of steps read, and a button that clears it.
// Without JavaScript (or storage) the page is the same, less these.
export function initPaths() {
  const list = document.querySelector("ol[data-path]");
  if (!list) return;
  const key = "lamport-path-" + list.dataset.path;
  let read;
  try {
    read = new Set(JSON.parse(localStorage.getItem(key) ?? "[]"));
  } catch {
    return;
  }
  const boxes = [...list.querySelectorAll("[data-path-step]")];
  const progress = document.querySelector("[data-path-progress]");
  const reset = document.querySelector("[data-path-reset]");
  const show = () => {
    for (const box of boxes) {
      const li = box.closest("li");
      box.checked = read.has(li.dataset.slug);
      li.classList.toggle("read", box.checked);
    }
    progress.textContent = progress.dataset.pathProgress.replace("%d", String(read.size)).replace("%d", String(boxes.length));
  };
  for (const box of boxes) {
    box.closest("label").hidden = false;
    box.addEventListener("change", () => {
      const slug = box.closest("li").dataset.slug;
      if (box.checked) read.add(slug);
      else read.delete(slug);
      localStorage.setItem(key, JSON.stringify([...read]));
      show();
    });
  }
  reset.addEventListener("click", () => {
    read.clear();
    localStorage.removeItem(key);
    show();
  });
  progress.hidden = false;
  reset.hidden = false;
  show();
}
