// Copy buttons on code blocks. navigator.clipboard exists only in secure
// contexts (HTTPS, localhost); on a plain-HTTP host the button copies
// through a selected, off-screen textarea and document.execCommand, which
// every browser still supports for this.

export function initCopyButtons() {
  const zh = document.documentElement.lang.startsWith("zh");
  const label = zh ? { copy: "复制", done: "已复制", failed: "复制失败" } : { copy: "Copy", done: "Copied", failed: "Copy failed" };
  for (const block of document.querySelectorAll(".code, .code-include")) {
    const pre = block.querySelector("pre");
    if (!pre) continue;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = label.copy;
    button.addEventListener("click", async () => {
      const ok = await copyText(pre.innerText, button);
      button.textContent = ok ? label.done : label.failed;
      setTimeout(() => (button.textContent = label.copy), 1500);
    });
    block.append(button);
  }
}

// copyText puts text on the clipboard and reports whether it did; focus
// goes back to from, which the fallback's selection takes away.
export async function copyText(text, from) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // denied: try the fallback
    }
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.cssText = "position:fixed;top:0;left:-9999px;opacity:0";
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } catch {
    ok = false;
  }
  area.remove();
  from?.focus();
  return ok;
}
