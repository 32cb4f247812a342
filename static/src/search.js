// Search as you type in the header. The header's search form works
// without JavaScript (it submits to the results page); this module turns
// its box into an ARIA combobox with a listbox of results from
// /api/search, grouped by page with the section's title and the matched
// words highlighted, the reader's language first and the other marked.
//
// Keys: "/" or Ctrl/Cmd+K focus the box; ArrowDown/ArrowUp move through
// the results (opening the list if it is closed); Enter opens the active
// result, or without one submits the form; Escape closes the list (a
// second Escape clears the box). The localized strings come from the
// form's data- attributes, set by the server in the page's language.

const debounceMs = 120;
const maxResults = 8;

export function initSearch() {
  const form = document.querySelector("form.site-search");
  const input = form?.querySelector("input[name=q]");
  if (!input) return;
  initShortcut(input);
  if (!window.fetch || !window.AbortController) return;
  new Combobox(form, input);
}

// "/" or Ctrl+K (Cmd+K) focuses the search box, as on most docs sites.
function initShortcut(input) {
  document.addEventListener("keydown", (e) => {
    const typing = e.target.closest?.("input, textarea, select, [contenteditable]");
    if ((e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) ||
        (e.key.toLowerCase() === "k" && (e.ctrlKey || e.metaKey))) {
      e.preventDefault();
      input.focus();
      input.select();
    }
  });
}

// shouldSearch: one Chinese character is a query; in other scripts two
// letters are the least worth asking about.
function shouldSearch(q) {
  return /\p{Script=Han}/u.test(q) || q.length >= 2;
}

class Combobox {
  constructor(form, input) {
    this.form = form;
    this.input = input;
    this.lang = form.dataset.lang;
    this.options = [];
    this.active = -1;
    this.timer = 0;
    this.controller = null;
    this.shown = ""; // the query whose results are shown

    // The popup holds a message (no results, an error) and the listbox,
    // which may hold only groups and options.
    this.popup = el("div", "search-popup");
    this.popup.hidden = true;
    this.message = el("p", "search-message");
    this.listbox = el("div", "search-listbox");
    this.listbox.id = "search-listbox";
    this.listbox.setAttribute("role", "listbox");
    this.listbox.setAttribute("aria-label", form.dataset.listboxLabel);
    this.popup.append(this.message, this.listbox);
    this.status = el("p", "visually-hidden");
    this.status.setAttribute("role", "status");
    form.append(this.popup, this.status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", this.listbox.id);
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("autocomplete", "off");

    input.addEventListener("input", () => this.schedule());
    input.addEventListener("keydown", (e) => this.onKey(e));
    input.addEventListener("blur", () => setTimeout(() => this.close(), 150));
    // A click on an option must not blur the box before it lands.
    this.popup.addEventListener("mousedown", (e) => e.preventDefault());
    this.listbox.addEventListener("click", (e) => {
      const opt = e.target.closest("[role=option]");
      if (opt) this.go(opt);
    });
  }

  schedule() {
    clearTimeout(this.timer);
    const q = this.input.value.trim();
    if (!shouldSearch(q)) {
      this.controller?.abort();
      this.close();
      this.shown = "";
      return;
    }
    this.timer = setTimeout(() => this.fetch(q), debounceMs);
  }

  async fetch(q) {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const params = new URLSearchParams({ q, prefer: this.lang, limit: String(maxResults) });
    try {
      const res = await fetch("/api/search?" + params, { signal: controller.signal, headers: { Accept: "application/json" } });
      const body = await res.json();
      if (controller.signal.aborted || this.input.value.trim() !== q) return;
      if (!res.ok) {
        this.render(q, null, body.Error || res.statusText);
        return;
      }
      this.render(q, body, "");
    } catch (err) {
      if (err.name !== "AbortError") this.render(q, null, String(err.message || err));
    }
  }

  // render replaces the list with the results of q, grouped by page, and
  // the option that opens the results page.
  render(q, body, error) {
    this.listbox.replaceChildren();
    this.options = [];
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    const hits = body?.Hits ?? [];
    const groups = new Map();
    for (const h of hits) {
      const key = h.Lang + "/" + h.Slug;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(h);
    }
    let n = 0;
    for (const [key, group] of groups) {
      const g = el("div", "search-group");
      g.setAttribute("role", "group");
      const label = el("div", "search-group-title");
      label.id = "search-group-" + n++;
      label.setAttribute("role", "presentation");
      label.append(group[0].Title);
      const first = group[0];
      if (first.Planned) label.append(" ", badge(this.form.dataset.planned, "planned-badge"));
      if (first.Lang !== this.lang) {
        const b = badge(first.Lang === "zh" ? "中文" : "English", "lang-badge");
        b.lang = first.Lang;
        label.append(" ", b);
      }
      g.setAttribute("aria-labelledby", label.id);
      g.append(label);
      for (const h of group) g.append(this.option(h, key));
      this.listbox.append(g);
    }
    this.message.textContent = error || (hits.length === 0 ? this.form.dataset.none : "");
    this.message.hidden = this.message.textContent === "";
    const all = this.addOption(el("div", "search-option search-all"), this.form.action + "?" + new URLSearchParams({ q }));
    all.textContent = this.form.dataset.all.replace("%s", q);
    this.listbox.append(all);
    this.status.textContent = error || this.form.dataset.count.replace("%d", String(body?.Total ?? 0));
    this.shown = q;
    this.listbox.dataset.query = q; // for tests: whose results these are
    this.open();
  }

  // option is one result: the section's title (or the page's summary
  // line) and its snippet, the matched words marked.
  option(h, key) {
    const opt = this.addOption(el("div", "search-option"), h.URL);
    if (h.Lang !== this.lang) opt.lang = h.Lang;
    opt.dataset.group = key;
    const title = el("span", "search-option-title");
    title.textContent = h.Heading || h.Title;
    opt.append(title);
    if (h.Text) {
      const snip = el("span", "search-option-snippet");
      snip.append(...marked(h.Text, h.Marks));
      opt.append(snip);
    }
    return opt;
  }

  addOption(opt, url) {
    opt.setAttribute("role", "option");
    opt.setAttribute("aria-selected", "false");
    opt.id = "search-option-" + this.options.length;
    opt.dataset.url = url;
    this.options.push(opt);
    return opt;
  }

  onKey(e) {
    switch (e.key) {
      case "ArrowDown":
      case "ArrowUp": {
        e.preventDefault();
        if (this.popup.hidden) {
          if (this.options.length && this.shown === this.input.value.trim()) this.open();
          else this.schedule();
          return;
        }
        const step = e.key === "ArrowDown" ? 1 : -1;
        const n = this.options.length;
        this.move(this.active < 0 ? (step > 0 ? 0 : n - 1) : (this.active + step + n) % n);
        return;
      }
      case "Enter":
        if (!this.popup.hidden && this.active >= 0) {
          e.preventDefault();
          this.go(this.options[this.active]);
        }
        return; // else the form submits: the results page
      case "Escape":
        e.preventDefault();
        if (!this.popup.hidden) this.close();
        else this.input.value = "";
        return;
    }
  }

  move(i) {
    if (this.active >= 0) this.options[this.active].setAttribute("aria-selected", "false");
    this.active = i;
    const opt = this.options[i];
    opt.setAttribute("aria-selected", "true");
    this.input.setAttribute("aria-activedescendant", opt.id);
    opt.scrollIntoView({ block: "nearest" });
  }

  go(opt) {
    this.close();
    location.assign(opt.dataset.url);
  }

  open() {
    this.popup.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
  }

  close() {
    this.popup.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
    if (this.active >= 0) this.options[this.active]?.setAttribute("aria-selected", "false");
    this.active = -1;
  }
}

function el(tag, className) {
  const e = document.createElement(tag);
  e.className = className;
  return e;
}

function badge(text, className) {
  const b = el("span", "badge " + className);
  b.textContent = text;
  return b;
}

// marked returns text as nodes, with <mark> around marks: [start, end)
// in code points, as the API gives them.
function marked(text, marks) {
  const cps = Array.from(text);
  const nodes = [];
  let pos = 0;
  for (const [start, end] of marks || []) {
    if (start < pos || end > cps.length) continue;
    nodes.push(document.createTextNode(cps.slice(pos, start).join("")));
    const m = document.createElement("mark");
    m.textContent = cps.slice(start, end).join("");
    nodes.push(m);
    pos = end;
  }
  nodes.push(document.createTextNode(cps.slice(pos).join("")));
  return nodes;
}
