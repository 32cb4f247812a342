// Renders ```mermaid blocks as SVG, in the current theme.

import mermaid from "mermaid";
import { isDark } from "./theme.js";

export async function renderDiagrams() {
  const blocks = [...document.querySelectorAll("pre.mermaid")];
  for (const b of blocks) b.dataset.source ??= b.textContent;
  await draw(blocks);
  document.addEventListener("lamport:theme", () => {
    for (const b of blocks) {
      b.removeAttribute("data-processed");
      b.textContent = b.dataset.source;
    }
    draw(blocks);
  });
}

async function draw(blocks) {
  const dark = isDark();
  mermaid.initialize({
    startOnLoad: false,
    securityLevel: "strict",
    theme: dark ? "dark" : "default",
    // Mermaid's dark edge labels miss WCAG AA contrast by a little.
    themeVariables: dark ? { edgeLabelBackground: "#2d333b" } : {},
  });
  await mermaid.run({ nodes: blocks });
}
