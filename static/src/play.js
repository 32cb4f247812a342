// The playground page: Run (and Ctrl/Cmd+Enter), Format and Reset over the
// JSON API, with the output replayed at its own pace and compile errors
// linked to their lines. Without JavaScript the form posts and the server
// renders the output.
//
// The textarea is the form's field and always holds the program; the code
// editor (editor.js, CodeMirror) is imported lazily, replaces it on screen
// and keeps it in sync. Until it loads, or if it fails to, the textarea is
// the editor.

export function initPlay() {
  const form = document.querySelector("form.play");
  if (!form) return;
  const source = form.querySelector("textarea");
  const output = document.querySelector(".play-output");
  const status = form.querySelector(".play-status");
  const original = document.getElementById("play-original").content.textContent;
  const zh = document.documentElement.lang.startsWith("zh");
  const t = (en, cn) => (zh ? cn : en);
  for (const b of form.querySelectorAll("button[hidden]")) b.hidden = false;
  let editor = plainEditor(source);
  import("./editor.js")
    .then((m) => { editor = m.mountEditor(source, { onRun: run, lang: zh ? "zh" : "en" }); })
    .catch((err) => console.warn("code editor unavailable, keeping the textarea:", err));

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    run();
  });
  source.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      run();
    }
  });
  form.querySelector("[data-action=format]").addEventListener("click", format);
  form.querySelector("[data-action=share]")?.addEventListener("click", async () => {
    try {
      const res = await call("/api/share");
      const url = new URL(res.URL, location.href).href;
      history.replaceState(null, "", res.URL);
      status.textContent = t("Shared: ", "分享链接：") + url;
      navigator.clipboard?.writeText(url).catch(() => {});
    } catch (err) {
      status.textContent = err.message;
    }
  });
  form.querySelector("[data-action=reset]").addEventListener("click", () => {
    editor.setText(original);
    editor.markErrors([]);
    output.textContent = "";
    status.textContent = "";
  });

  async function call(path) {
    const r = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ body: source.value, fakeTime: !!form.elements.faketime?.checked }),
    });
    const data = await r.json();
    if (!r.ok) throw new Error(data.Error || r.statusText);
    return data;
  }

  async function run() {
    status.textContent = t("Building and running…", "正在编译和运行…");
    output.textContent = "";
    editor.markErrors([]);
    try {
      const res = await call("/api/run");
      if (res.Errors) {
        showErrors(res.Errors);
      } else {
        await replay(res.Events || []);
      }
      const ms = (ns) => Math.round(ns / 1e6);
      let line = t(`exit status ${res.Status} · build ${ms(res.BuildTime)} ms · run ${ms(res.RunTime)} ms`,
        `退出状态 ${res.Status} · 编译 ${ms(res.BuildTime)} ms · 运行 ${ms(res.RunTime)} ms`);
      if (res.Cached) line += t(" · cached", " · 缓存结果");
      if (res.Limit) line += t(` · stopped: the ${res.Limit} limit was reached`, ` · 已停止：触发了${res.Limit}限制`);
      status.textContent = line;
    } catch (err) {
      status.textContent = err.message;
    }
  }

  // replay prints the events with their delays, capped so a long program
  // does not keep the reader waiting.
  async function replay(events) {
    for (const e of events) {
      const wait = Math.min(e.Delay / 1e6, 1000);
      if (wait > 5) await new Promise((r) => setTimeout(r, wait));
      appendOutput(output, e.Message, e.Kind);
    }
  }

  // showErrors prints compiler errors, each "prog.go:LINE:COL: …" as a
  // link to its place in the editor, and marks those lines.
  function showErrors(text) {
    const lines = [];
    for (const line of text.split("\n")) {
      const m = /^prog\.go:(\d+)(?::(\d+))?:/.exec(line);
      if (m) {
        const at = [Number(m[1]), Number(m[2] || 1)];
        lines.push(at[0]);
        output.append(errorLink(line, () => editor.goto(...at)), "\n");
      } else {
        output.append(line + "\n");
      }
    }
    editor.markErrors(lines);
  }

  async function format() {
    try {
      const res = await call("/api/fmt");
      if (res.Error) {
        output.textContent = "";
        showErrors(res.Error);
      } else {
        editor.setText(res.Body);
        editor.markErrors([]);
      }
    } catch (err) {
      status.textContent = err.message;
    }
  }
}

function errorLink(text, onClick) {
  const a = document.createElement("a");
  a.href = "#play-source";
  a.textContent = text;
  a.addEventListener("click", (e) => {
    e.preventDefault();
    onClick();
  });
  return a;
}

// plainEditor is the textarea seen through the interface of editor.js's
// mountEditor: setText, goto(line, col) and markErrors(lines).
function plainEditor(source) {
  return {
    setText(text) {
      source.value = text;
    },
    goto(line, col) {
      const lines = source.value.split("\n");
      let pos = 0;
      for (let i = 0; i < line - 1 && i < lines.length; i++) pos += lines[i].length + 1;
      source.focus();
      source.setSelectionRange(pos + col - 1, pos + col - 1);
    },
    markErrors() {},
  };
}

// appendOutput adds a program's output to el. A line "IMAGE:<base64>", the
// Go playground's convention (engine.TimelineImage writes one), becomes a
// picture: PNG or SVG, shown through <img>, where an SVG cannot run script.
export function appendOutput(el, message, kind) {
  for (const part of message.split(/^(IMAGE:[A-Za-z0-9+/=]+\n?)/m)) {
    if (!part) continue;
    const image = /^IMAGE:([A-Za-z0-9+/=]+)/.exec(part);
    if (image) {
      el.append(outputImage(image[1]));
      continue;
    }
    const span = document.createElement("span");
    if (kind === "stderr") span.className = "stderr";
    span.textContent = part;
    el.append(span);
  }
}

function outputImage(base64) {
  const img = document.createElement("img");
  const type = base64.startsWith("iVBOR") ? "image/png" : "image/svg+xml";
  img.src = `data:${type};base64,${base64}`;
  img.className = "play-image";
  img.alt = document.documentElement.lang.startsWith("zh") ? "程序输出的图像" : "Image written by the program";
  img.dataset.testid = "play-image";
  return img;
}

// initDemoRun adds a Run button to a pattern page's demo: the demo runs
// in the playground and its output appears below it.
export function initDemoRun() {
  const button = document.querySelector("[data-run-demo]");
  const code = document.querySelector("[data-testid=demo] pre");
  if (!button || !code) return;
  const output = document.querySelector("[data-testid=demo-output]");
  const status = button.parentElement.querySelector(".play-status");
  button.hidden = false;
  button.addEventListener("click", async () => {
    button.disabled = true;
    status.textContent = "…";
    try {
      const r = await fetch("/api/run", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ body: code.innerText }),
      });
      const res = await r.json();
      if (!r.ok) throw new Error(res.Error || r.statusText);
      output.hidden = false;
      output.textContent = res.Errors;
      if (!res.Errors) for (const e of res.Events || []) appendOutput(output, e.Message, e.Kind);
      status.textContent = `exit status ${res.Status} · ${Math.round((res.BuildTime + res.RunTime) / 1e6)} ms`;
    } catch (err) {
      status.textContent = err.message;
    } finally {
      button.disabled = false;
    }
  });
}
