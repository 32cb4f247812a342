// Typesets $…$ and $$…$$ with KaTeX; the stylesheet is loaded with it.

import katex from "katex";

export function renderMath() {
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = new URL("../katex.css", import.meta.url).href;
  document.head.append(link);
  for (const el of document.querySelectorAll(".math")) {
    katex.render(el.textContent, el, {
      displayMode: el.classList.contains("math-display"),
      throwOnError: false,
      output: "htmlAndMathml",
    });
    el.classList.add("katex-rendered");
  }
}
