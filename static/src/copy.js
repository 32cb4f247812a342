// Copy buttons on code blocks.

export function initCopyButtons() {
  if (!navigator.clipboard) return;
  const label = document.documentElement.lang.startsWith("zh") ? ["复制", "已复制"] : ["Copy", "Copied"];
  for (const block of document.querySelectorAll(".code, .code-include")) {
    const pre = block.querySelector("pre");
    if (!pre) continue;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = label[0];
    button.addEventListener("click", async () => {
      await navigator.clipboard.writeText(pre.innerText);
      button.textContent = label[1];
      setTimeout(() => (button.textContent = label[0]), 1500);
    });
    block.append(button);
  }
}
