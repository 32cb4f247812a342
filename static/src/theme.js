// Theme toggle. The server renders <html data-theme> from the "theme" cookie,
// so a page never flashes the wrong theme; without the cookie the system
// preference applies. The button is hidden until this script runs.

export function initTheme() {
  const button = document.querySelector(".theme-toggle");
  if (!button) return;
  button.hidden = false;
  button.setAttribute("aria-pressed", String(isDark()));
  button.addEventListener("click", () => {
    const next = isDark() ? "light" : "dark";
    document.documentElement.dataset.theme = next;
    document.cookie = `theme=${next}; path=/; max-age=31536000; samesite=lax`;
    button.setAttribute("aria-pressed", String(next === "dark"));
    document.dispatchEvent(new CustomEvent("lamport:theme", { detail: next }));
  });
}

export function isDark() {
  const theme = document.documentElement.dataset.theme;
  if (theme) return theme === "dark";
  return window.matchMedia("(prefers-color-scheme: dark)").matches;
}
