// Lamport's page script: small features that improve a page that already
// works without JavaScript. Diagrams and math come drawn (lamport render);
// Mermaid and KaTeX are imported only for an author's preview of a figure
// not rendered yet (serve --content), the graph's interactions only on a
// page with a graph or a learning path, and the code editor
// (CodeMirror) only on the playground (see play.js).

import { initTheme } from "./theme.js";
import { initCopyButtons } from "./copy.js";
import { initTOC } from "./toc.js";
import { initDrawer } from "./drawer.js";
import { initPlay, initDemoRun } from "./play.js";
import { initSearch } from "./search.js";

initTheme();
initCopyButtons();
initTOC();
initDrawer();
initPlay();
initDemoRun();
initSearch();
initLiveReload();
loadHeavyFeatures();

function loadHeavyFeatures() {
  if (document.querySelector("pre.mermaid")) {
    import("./diagrams.js").then((m) => m.renderDiagrams());
  }
  if (document.querySelector("svg.graph, ol[data-path]")) {
    import("./graph.js").then((m) => {
      m.initGraph();
      m.initPaths();
    });
  }
  if (document.querySelector(".math")) {
    import("./math.js").then((m) => m.renderMath());
  }
}

// In author mode (--content DIR) the server announces content changes, and
// the page reloads itself, keeping its scroll position.
function initLiveReload() {
  const meta = document.querySelector('meta[name="lamport-live"]');
  if (!meta || !window.EventSource) return;
  const source = new EventSource(meta.content);
  source.addEventListener("reload", () => {
    sessionStorage.setItem("lamport-scroll", String(window.scrollY));
    location.reload();
  });
  const y = sessionStorage.getItem("lamport-scroll");
  if (y) {
    sessionStorage.removeItem("lamport-scroll");
    window.scrollTo(0, Number(y));
  }
}
