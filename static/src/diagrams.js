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
  mermaid.initialize({ startOnLoad: false, theme: isDark() ? "dark" : "default", securityLevel: "strict" });
  await mermaid.run({ nodes: blocks });
}
