// The playground page: Run (and Ctrl/Cmd+Enter), Format and Reset over the
// JSON API, with the output replayed at its own pace and compile errors
// linked to their lines. Without JavaScript the form posts and the server
// renders the output. When the server refuses a program (busy, warming
// up, rate-limited), its message takes the output's place.
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
  // The workflow runs the program made: the server renders their view.
  const runs = document.querySelector("[data-testid=play-runs-slot]");
  const status = form.querySelector(".play-status");
  const original = document.getElementById("play-original").content.textContent;
  for (const b of form.querySelectorAll("button[hidden]")) b.hidden = false;
  const edits = keepEdits(form, source, original);
  let editor = plainEditor(source);
  const call = (path) => postProgram(path, { body: source.value, fakeTime: !!form.elements.faketime?.checked });
  import("./editor.js")
    .then((m) => { editor = m.mountEditor(source, { onRun: run, lang: zh() ? "zh" : "en" }); })
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
      edits.moveTo("/p/" + res.ID);
      const other = document.querySelector("a.lang-switch");
      if (other) other.href = `${res.URL}?lang=${zh() ? "en" : "zh"}`;
      status.textContent = t("Shared: ", "分享链接：") + url;
      navigator.clipboard?.writeText(url).catch(() => {});
    } catch (err) {
      status.textContent = err.message;
    }
  });
  form.querySelector("[data-action=reset]").addEventListener("click", () => {
    editor.setText(original);
    editor.markErrors([]);
    edits.forget();
    output.textContent = "";
    status.textContent = "";
  });

  async function run() {
    status.textContent = t("Building and running…", "正在编译和运行…");
    output.textContent = "";
    if (runs) runs.textContent = "";
    editor.markErrors([]);
    try {
      const res = await call("/api/run");
      if (res.Errors) {
        showErrors(res.Errors);
      } else {
        await replay(res.Events || []);
      }
      // Server-rendered from the checked report, every text escaped.
      if (runs) runs.innerHTML = res.RunsHTML || "";
      const ms = (ns) => Math.round(ns / 1e6);
      let line = t(`exit status ${res.Status} · build ${ms(res.BuildTime)} ms · run ${ms(res.RunTime)} ms`,
        `退出状态 ${res.Status} · 编译 ${ms(res.BuildTime)} ms · 运行 ${ms(res.RunTime)} ms`);
      if (res.Cached) line += t(" · cached", " · 缓存结果");
      if (res.Limit) line += t(` · stopped: the ${res.Limit} limit was reached`, ` · 已停止：触发了${limitName(res.Limit)}限制`);
      status.textContent = line;
    } catch (err) {
      showRefusal(output, status, err);
    }
  }

  // replay prints the events with their delays, capped so a long program
  // does not keep the reader waiting.
  async function replay(events) {
    pendingImage.delete(output);
    for (const e of events) {
      const wait = Math.min(e.Delay / 1e6, 1000);
      if (wait > 5) await new Promise((r) => setTimeout(r, wait));
      appendOutput(output, e.Message, e.Kind);
    }
    flushOutput(output);
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
      output.textContent = "";
      if (res.Error) {
        showErrors(res.Error);
      } else {
        editor.setText(res.Body);
        editor.markErrors([]);
      }
    } catch (err) {
      showRefusal(output, status, err);
    }
  }
}

// keepEdits keeps the reader's edits of a program in sessionStorage,
// under a key that names the program the same way in every language
// (data-edit-key), so switching language or reloading the page reopens
// the edited program, not the original. It restores them into the
// textarea before the code editor mounts, and saves when the page is left.
function keepEdits(form, source, original) {
  let key = form.dataset.editKey && "lamport-edit:" + form.dataset.editKey;
  const store = storage();
  const saved = key && store?.getItem(key);
  if (saved != null && saved !== source.value) source.value = saved;
  const save = () => {
    if (!key || !store) return;
    if (source.value === original) store.removeItem(key);
    else store.setItem(key, source.value);
  };
  window.addEventListener("pagehide", save);
  return {
    save,
    forget: () => key && store?.removeItem(key),
    moveTo: (editKey) => {
      key = "lamport-edit:" + editKey;
    },
  };
}

// storage is sessionStorage, or null where the browser refuses it.
function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

const zh = () => document.documentElement.lang.startsWith("zh");
const t = (en, cn) => (zh() ? cn : en);

// postProgram posts payload as JSON to an API path and returns the
// answer. It throws an Error whose message is for the reader: the
// server's own ({"Error": …}, in the page's language, which the request
// names), or, when the answer is not JSON (a proxy's error page, a lost
// connection), one written here from the status.
export async function postProgram(path, payload) {
  let r;
  try {
    r = await fetch(`${path}?lang=${zh() ? "zh" : "en"}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload),
    });
  } catch {
    throw new Error(t("The server could not be reached. Check your connection and try again.", "无法连接服务器，请检查网络后重试。"));
  }
  let data = null;
  if ((r.headers.get("Content-Type") || "").startsWith("application/json")) {
    data = await r.json().catch(() => null);
  }
  if (r.ok && data) return data;
  throw new Error(data?.Error || statusMessage(r.status));
}

// statusMessage explains an answer that carried no message of its own.
function statusMessage(code) {
  switch (code) {
    case 429:
      return t("Too many requests. Wait a moment and try again.", "请求过于频繁，请稍后再试。");
    case 502:
    case 503:
    case 504:
      return t(`The playground is unavailable (HTTP ${code}). Try again in a moment.`, `在线运行环境暂时不可用（HTTP ${code}），请稍后再试。`);
  }
  return t(`The server answered HTTP ${code}.`, `服务器返回了 HTTP ${code}。`);
}

// showRefusal shows why a program was not run or formatted where its
// output would be, and says so in the status line.
function showRefusal(output, status, err) {
  output.hidden = false;
  output.textContent = "";
  appendOutput(output, err.message, "stderr");
  status.textContent = t("not run", "未运行");
}

function limitName(limit) {
  return { time: "时间", cpu: " CPU ", output: "输出", memory: "内存" }[limit] || limit;
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

// pendingImage holds, per output element, an IMAGE line whose end has not
// arrived: the playground cuts a long line into several events when its
// pieces reach the pipe more than a millisecond apart.
const pendingImage = new WeakMap();

// appendOutput adds a program's output to el. A line "IMAGE:<base64>", the
// Go playground's convention (package playground/picture writes one),
// becomes a picture: a PNG through <img>; an SVG in a sandboxed frame
// (no scripts, an opaque origin), where it cannot run script either but
// its <title> elements still show on hover, as the simulator's space-time
// diagrams expect. An IMAGE line that a message leaves unfinished waits
// for the next message of the same stream (or for flushOutput).
export function appendOutput(el, message, kind) {
  const pending = pendingImage.get(el);
  if (pending && pending.kind !== kind) flushOutput(el);
  else if (pending) message = pending.text + message;
  pendingImage.delete(el);
  const parts = message.split(/^(IMAGE:[A-Za-z0-9+/=]*\n?)/m);
  parts.forEach((part, i) => {
    if (!part) return;
    const image = /^IMAGE:([A-Za-z0-9+/=]*)(\n?)$/.exec(part);
    if (image && !image[2] && i === parts.length - 2 && !parts[i + 1]) {
      pendingImage.set(el, { text: part, kind }); // the line goes on in the next message
    } else if (image && image[1]) {
      el.append(outputImage(image[1]));
    } else {
      appendText(el, part, kind);
    }
  });
}

// flushOutput draws an IMAGE line still waiting for its end: the output is
// over.
export function flushOutput(el) {
  const pending = pendingImage.get(el);
  pendingImage.delete(el);
  if (!pending) return;
  const base64 = pending.text.slice("IMAGE:".length);
  if (base64) el.append(outputImage(base64));
  else appendText(el, pending.text, pending.kind);
}

function appendText(el, text, kind) {
  const span = document.createElement("span");
  if (kind === "stderr") span.className = "stderr";
  span.textContent = text;
  el.append(span);
}

function outputImage(base64) {
  const alt = t("Image written by the program", "程序输出的图像");
  const svg = base64.startsWith("iVBOR") ? null : decodeBase64(base64);
  if (svg === null) {
    const img = document.createElement("img");
    const type = base64.startsWith("iVBOR") ? "image/png" : "image/svg+xml";
    img.src = `data:${type};base64,${base64}`;
    img.className = "play-image";
    img.alt = alt;
    img.dataset.testid = "play-image";
    return img;
  }
  const frame = document.createElement("iframe");
  frame.setAttribute("sandbox", "");
  frame.className = "play-image play-svg";
  frame.title = alt;
  frame.dataset.testid = "play-image";
  const size = /<svg\b[^>]*?\bwidth="(\d+)"[^>]*?\bheight="(\d+)"/.exec(svg);
  frame.style.width = `${size ? size[1] : 640}px`;
  frame.style.height = `${size ? size[2] : 360}px`;
  frame.srcdoc = `<!doctype html><meta charset="utf-8"><style>body{margin:0;background:#fff}</style>${svg}`;
  return frame;
}

// decodeBase64 returns the UTF-8 text of base64, or null if it is not text.
function decodeBase64(base64) {
  try {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
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
      const res = await postProgram("/api/run", { body: code.innerText });
      output.hidden = false;
      output.textContent = res.Errors;
      pendingImage.delete(output);
      if (!res.Errors) for (const e of res.Events || []) appendOutput(output, e.Message, e.Kind);
      flushOutput(output);
      const ms = Math.round((res.BuildTime + res.RunTime) / 1e6);
      status.textContent = t(`exit status ${res.Status} · ${ms} ms`, `退出状态 ${res.Status} · ${ms} ms`);
    } catch (err) {
      showRefusal(output, status, err);
    } finally {
      button.disabled = false;
    }
  });
}
