// The figure renderer: runs in headless Chromium, driven by package figure
// (figure/draw.go), which bundles it with Mermaid and KaTeX from
// static/node_modules. window.renderFigures(jobs) draws each job and
// answers, in order, {html} or {error}. Every drawing setting lives here:
// the digest of this file is part of content.Renderer, so changing it makes
// every artifact stale.

import mermaid from "mermaid";
import katex from "katex";

// The site's font stack (static/src/site.css): labels are measured in the
// fonts the readers' browsers pick from it.
const font = `system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif`;

const themes = {
  light: { theme: "default", themeVariables: { fontFamily: font, useGradient: false } },
  // Mermaid's dark edge labels miss WCAG AA contrast by a little.
  dark: { theme: "dark", themeVariables: { fontFamily: font, useGradient: false, edgeLabelBackground: "#2d333b" } },
};

window.renderFigures = async function (jobs) {
  const out = [];
  for (const job of jobs) {
    try {
      out.push({ html: job.kind === "diagram" ? await diagram(job) : formula(job) });
    } catch (e) {
      out.push({ error: String((e && e.message) || e) });
    }
  }
  return out;
};

function formula(job) {
  const html = katex.renderToString(job.source, { displayMode: job.display, output: "mathml", throwOnError: true });
  const math = new DOMParser().parseFromString(html, "text/html").querySelector("math");
  if (!math) throw new Error("KaTeX returned no MathML");
  return math.outerHTML;
}

// diagram draws a Mermaid diagram in both themes and merges the two into
// one SVG whose colours are light-dark() pairs.
async function diagram(job) {
  const light = await draw(job.id, job.source, "light");
  const dark = await draw(job.id, job.source, "dark");
  const style = light.querySelector("style"), darkStyle = dark.querySelector("style");
  const css = mergeSheets(sheet(style), sheet(darkStyle), light);
  style.textContent = darkStyle.textContent = "";
  mergeTrees(light, dark);
  style.textContent = css;
  slim(light);
  name(light, job);
  const overlaps = overlapsOf(light);
  if (overlaps.length) throw new Error("labels overlap: " + overlaps.join("; ") + ": change the diagram's source");
  return serialize(light);
}

async function draw(id, source, theme) {
  Math.random = seeded(id); // rough.js draws some shapes with random jitter
  mermaid.initialize({
    startOnLoad: false,
    securityLevel: "strict",
    htmlLabels: false, // SVG text, not HTML in foreignObject: a plain picture
    flowchart: { htmlLabels: false },
    fontFamily: font,
    ...themes[theme],
  });
  const { svg } = await mermaid.render(id, source);
  const root = new DOMParser().parseFromString(svg, "image/svg+xml").documentElement;
  if (root.nodeName !== "svg" || !root.querySelector("style")) throw new Error("Mermaid returned no SVG");
  return root;
}

// mergeTrees checks that the dark drawing is the light one in other
// colours, and writes each colour attribute that differs as an inline
// light-dark() style. Generated element ids may differ (Mermaid numbers
// some across drawings); the light drawing's are kept.
function mergeTrees(l, d) {
  if (l.nodeType !== d.nodeType || l.nodeName !== d.nodeName || l.childNodes.length !== d.childNodes.length) {
    const kids = (n) => [...n.childNodes].map((c) => c.nodeName + (c.id ? "#" + c.id : "")).join(" ");
    throw new Error(`the light and dark drawings differ in more than colours, at <${l.nodeName}> (${kids(l)}) and <${d.nodeName}> (${kids(d)})`);
  }
  if (l.nodeType === Node.TEXT_NODE && l.data !== d.data) throw new Error(`the light and dark drawings differ in text: "${l.data}"`);
  if (l.nodeType !== Node.ELEMENT_NODE) return;
  const colours = [];
  for (const attr of [...l.attributes]) {
    const v = attr.value, dv = d.getAttribute(attr.name);
    if (v === dv || attr.name === "id") continue;
    if (attr.name === "style") {
      colours.push(...styleColours(l, d));
      continue;
    }
    if (!isColour(v) || !isColour(dv)) throw differ(`${attr.name}="${v}" and "${dv}"`, l);
    l.removeAttribute(attr.name);
    colours.push([attr.name, v, dv]);
  }
  for (const [prop, v, dv] of colours) l.style.setProperty(prop, `light-dark(${v}, ${dv})`);
  for (let i = 0; i < l.childNodes.length; i++) mergeTrees(l.childNodes[i], d.childNodes[i]);
}

// styleColours lists the inline style properties whose colours differ
// between the two drawings; any other difference is an error.
function styleColours(l, d) {
  const out = [];
  for (const prop of new Set([...l.style, ...d.style])) {
    const v = l.style.getPropertyValue(prop), dv = d.style.getPropertyValue(prop);
    if (v === dv) continue;
    if (!isColour(v) || !isColour(dv)) throw differ(`style ${prop}: "${v}" and "${dv}"`, l);
    out.push([prop, v, dv]);
  }
  return out;
}

const isColour = (v) => v !== null && v !== "" && CSS.supports("color", v);

const differ = (what, el) => new Error(`the light and dark drawings differ in more than colours: ${what} on <${el.nodeName}>`);

// seeded is a PRNG (mulberry32) seeded from a string, so every drawing
// of a figure is the same.
function seeded(text) {
  let a = 0;
  for (const c of text) a = (Math.imul(a, 31) + c.codePointAt(0)) | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const serialize = (node) => new XMLSerializer().serializeToString(node);

function sheet(style) {
  const s = new CSSStyleSheet();
  s.replaceSync(style.textContent);
  return s;
}

// mergeSheets pairs the rules of the light and dark stylesheets (Mermaid
// writes the same rules for every theme) and writes each colour that
// differs as light-dark(light, dark). Rules that match nothing in the
// drawing are dropped.
function mergeSheets(light, dark, svg) {
  const lr = [...light.cssRules], dr = [...dark.cssRules];
  if (lr.length !== dr.length) throw new Error("the themes' stylesheets differ in shape");
  let css = "";
  lr.forEach((rule, i) => {
    const other = dr[i];
    if (!(rule instanceof CSSStyleRule)) {
      if (!(rule instanceof CSSKeyframesRule) || svg.querySelector("[class*=edge-animation]")) css += rule.cssText;
      return;
    }
    if (!(other instanceof CSSStyleRule) || other.selectorText !== rule.selectorText) throw new Error("the themes' stylesheets differ in shape");
    if (!matches(svg, rule.selectorText)) return;
    let decls = "";
    for (const prop of rule.style) {
      let v = rule.style.getPropertyValue(prop);
      const dv = other.style.getPropertyValue(prop);
      if (dv && dv !== v) v = `light-dark(${v}, ${dv})`;
      decls += `${prop}:${v}${rule.style.getPropertyPriority(prop) ? " !important" : ""};`;
    }
    if (decls) css += `${rule.selectorText}{${decls}}`;
  });
  return css;
}

// matches reports whether a selector matches the drawing; a selector the
// parser cannot test (pseudo-elements, states) is kept.
function matches(svg, selector) {
  if (/\s:root\b/.test(selector)) return false; // the page's root is never inside the drawing
  const bare = selector.replace(/::?[a-z-]+(\([^)]*\))?/g, "");
  try {
    return svg.matches(bare) || svg.querySelector(bare) !== null;
  } catch {
    return true;
  }
}

// slim drops what a reader's browser never uses: Mermaid's data-
// attributes (edge points, ids for its own scripts), empty styles, and
// markers and filters that nothing references.
function slim(svg) {
  for (const el of svg.querySelectorAll("*")) {
    for (const attr of [...el.attributes]) {
      if (attr.name.startsWith("data-") || (attr.name === "style" && attr.value.replace(/[;\s]/g, "") === "")) el.removeAttribute(attr.name);
    }
  }
  // Mermaid writes each word of a label as a <tspan>; one text node per
  // line draws the same and keeps the page's DOM small.
  for (const row of svg.querySelectorAll("tspan.row")) {
    const words = [...row.children];
    if (words.length > 1 && words.every((w) => w.localName === "tspan" && !w.children.length && w.getAttribute("font-style") === "normal" && w.getAttribute("font-weight") === "normal")) {
      row.textContent = words.map((w) => w.textContent).join("");
    }
  }
  const text = serialize(svg);
  for (const el of svg.querySelectorAll("marker[id], filter[id]")) {
    if (!text.includes(`#${el.id})`)) el.remove();
  }
  for (const el of svg.querySelectorAll("defs")) if (!el.children.length) el.remove();
}

// name makes the drawing an image named by its <title>: Mermaid's, from
// the source's accTitle, else the diagram's kind and its nodes.
function name(svg, job) {
  const ns = "http://www.w3.org/2000/svg";
  let title = [...svg.children].find((c) => c.localName === "title");
  if (!title) {
    title = svg.ownerDocument.createElementNS(ns, "title");
    title.textContent = job.name + job.sep + labels(svg).join(job.comma);
    svg.prepend(title);
  }
  title.id = job.id + "-title";
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-labelledby", title.id + ([...svg.children].some((c) => c.localName === "desc") ? " " + job.id + "-desc" : ""));
  const desc = [...svg.children].find((c) => c.localName === "desc");
  if (desc) desc.id = job.id + "-desc";
  svg.removeAttribute("aria-roledescription");
}

// labels are the names a reader sees first: nodes, participants, a
// chart's title; else every text, each once.
function labels(svg) {
  const text = (els) => [...new Set([...els].map((e) => e.textContent.replace(/\s+/g, " ").trim()).filter(Boolean))];
  for (const sel of ["g.node", "text.actor", ".chart-title text, g.chart-title"]) {
    const found = text(svg.querySelectorAll(sel));
    if (found.length) return found.slice(0, 12);
  }
  return text(svg.querySelectorAll("text")).slice(0, 12);
}

// overlapsOf lays the drawing out in the page and names every edge label
// that intersects another label or a node.
function overlapsOf(svg) {
  const host = document.createElement("div");
  host.style.width = "1200px";
  host.append(document.importNode(svg, true));
  document.body.append(host);
  const boxes = [];
  for (const el of host.querySelectorAll("g.edgeLabel rect.background, g.node")) {
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) continue;
    const g = el.closest("g.edgeLabel, g.node");
    boxes.push({ r, name: g.textContent.replace(/\s+/g, " ").trim() || g.id, node: g.matches("g.node") });
  }
  host.remove();
  const out = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (!(a.node && b.node) && intersect(a.r, b.r)) out.push(`"${a.name}" and "${b.name}"`);
    }
  }
  return out;
}

function intersect(a, b) {
  const e = 0.5; // boxes that only touch do not overlap
  return a.left + e < b.right && b.left + e < a.right && a.top + e < b.bottom && b.top + e < a.bottom;
}
