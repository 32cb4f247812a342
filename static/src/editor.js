// The playground's code editor: CodeMirror 6 with Go highlighting, imported
// by play.js only on the playground page, so other pages never download it.
//
// The editor sits after the form's textarea and hides it; every change is
// copied back into the textarea, which stays the form's field. Tab indents;
// Escape then Tab leaves the editor (CodeMirror's tab-focus mode), and a
// hidden hint says so to screen readers. Colours are the site's CSS
// variables and light-dark() pairs, so they follow the theme toggle.

import { EditorState, StateEffect, StateField, RangeSet } from "@codemirror/state";
import { EditorView, Decoration, GutterMarker, keymap, lineNumbers, gutterLineClass } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { bracketMatching, indentOnInput, indentUnit, syntaxHighlighting } from "@codemirror/language";
import { goLanguage } from "@codemirror/lang-go";
import { classHighlighter } from "@lezer/highlight";

// mountEditor replaces the textarea with a code editor and returns the
// interface play.js drives: setText, goto(line, col) and markErrors(lines).
// onRun is called on Ctrl/Cmd+Enter.
export function mountEditor(textarea, { onRun, lang = "en" }) {
  const hadFocus = document.activeElement === textarea;
  const view = new EditorView({
    state: EditorState.create({ doc: textarea.value, extensions: extensions(textarea, onRun, lang) }),
  });
  textarea.after(view.dom);
  textarea.hidden = true;
  if (hadFocus) view.focus();
  return {
    setText: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    goto: (line, col) => goto(view, line, col),
    markErrors: (lines) => view.dispatch({ effects: setErrors.of(lines) }),
  };
}

function extensions(textarea, onRun, lang) {
  return [
    lineNumbers(),
    history(),
    indentOnInput(),
    bracketMatching(),
    goLanguage,
    indentUnit.of("\t"),
    EditorState.tabSize.of(4),
    syntaxHighlighting(classHighlighter),
    errorLines,
    keymap.of([{ key: "Mod-Enter", run: () => (onRun(), true) }, indentWithTab, ...defaultKeymap, ...historyKeymap]),
    EditorView.contentAttributes.of(labelAttributes(textarea, lang)),
    EditorView.updateListener.of((u) => {
      if (u.docChanged) textarea.value = u.state.doc.toString();
    }),
    theme,
  ];
}

// labelAttributes gives the editor the textarea's label and a description
// of how to leave it with the keyboard. The explicit tabindex is what an
// editable element has anyway; it tells checkers such as axe that the
// scrolling editor has focusable content.
function labelAttributes(textarea, lang) {
  const attrs = { "aria-describedby": keyboardHint(textarea, lang).id, tabindex: "0" };
  const label = textarea.labels?.[0];
  if (label) {
    label.id ||= textarea.id + "-label";
    attrs["aria-labelledby"] = label.id;
  } else {
    attrs["aria-label"] = "Go";
  }
  return attrs;
}

function keyboardHint(textarea, lang) {
  const hint = document.createElement("span");
  hint.id = textarea.id + "-keys";
  hint.className = "visually-hidden";
  hint.textContent = lang === "zh"
    ? "Tab 键缩进；先按 Esc 再按 Tab 可离开编辑器。Ctrl+Enter 或 Cmd+Enter 运行。"
    : "Tab indents; press Escape, then Tab, to leave the editor. Ctrl+Enter or Cmd+Enter runs.";
  textarea.after(hint);
  return hint;
}

// goto puts the cursor at a 1-based line and column, clamped to the
// document, and focuses the editor.
function goto(view, line, col) {
  const doc = view.state.doc;
  const l = doc.line(Math.min(Math.max(line, 1), doc.lines));
  const pos = l.from + Math.min(Math.max(col - 1, 0), l.length);
  view.dispatch({ selection: { anchor: pos }, effects: EditorView.scrollIntoView(pos, { y: "center" }) });
  view.focus();
}

// setErrors replaces the marked error lines (1-based line numbers).
const setErrors = StateEffect.define();

const errorLine = Decoration.line({ class: "cm-error-line" });

const errorGutter = new (class extends GutterMarker {
  elementClass = "cm-error-gutter";
})();

// errorLines holds a line decoration per error line, moved along by edits,
// and colours those lines' numbers in the gutter.
const errorLines = StateField.define({
  create: () => Decoration.none,
  update(marks, tr) {
    marks = marks.map(tr.changes);
    for (const e of tr.effects) {
      if (e.is(setErrors)) marks = errorMarks(tr.state.doc, e.value);
    }
    return marks;
  },
  provide: (field) => [
    EditorView.decorations.from(field),
    gutterLineClass.from(field, (marks) => gutterMarks(marks)),
  ],
});

function errorMarks(doc, lines) {
  const starts = [...new Set(lines.filter((n) => n >= 1 && n <= doc.lines))]
    .sort((a, b) => a - b)
    .map((n) => errorLine.range(doc.line(n).from));
  return Decoration.set(starts);
}

function gutterMarks(marks) {
  const ranges = [];
  for (const it = marks.iter(); it.value; it.next()) ranges.push(errorGutter.range(it.from));
  return RangeSet.of(ranges);
}

// Token colours are GitHub's light and dark palettes, as in the site's
// highlighted code blocks; each keeps WCAG AA contrast (4.5:1) on --bg-code
// and on an error line.
const token = (light, dark) => ({ color: `light-dark(${light}, ${dark})` });

const theme = EditorView.theme({
  "&": {
    font: "0.85rem/1.5 var(--font-mono)",
    color: "var(--fg)",
    backgroundColor: "var(--bg-code)",
    border: "1px solid var(--border)",
    borderRadius: "var(--radius)",
    height: "var(--editor-h, 34rem)", // the textarea's (site.css), so mounting shifts nothing
  },
  "&.cm-focused": { outline: "2px solid var(--accent)", outlineOffset: "2px" },
  ".cm-scroller": { overflow: "auto", fontFamily: "inherit", lineHeight: "inherit", minHeight: "12rem" },
  ".cm-content": { padding: "0.8rem 0", caretColor: "var(--fg)" },
  ".cm-line": { padding: "0 0.8rem 0 0.5rem" },
  ".cm-gutters": {
    backgroundColor: "var(--bg-code)",
    color: "var(--fg-soft)",
    borderRight: "1px solid var(--border)",
    borderRadius: "var(--radius) 0 0 var(--radius)",
  },
  ".cm-cursor": { borderLeftColor: "var(--fg)" },
  ".cm-content ::selection": { backgroundColor: "light-dark(#dcebfe, #1b2f49)" },
  "&.cm-focused .cm-matchingBracket": { backgroundColor: "light-dark(#c6e7c9, #1f4a2c)", outline: "none" },
  "&.cm-focused .cm-nonmatchingBracket": { backgroundColor: "light-dark(#ffd7d5, #5a1e1e)" },
  ".cm-error-line": { backgroundColor: "light-dark(#ffebe9, #3a1d1f)" },
  ".cm-error-gutter": { color: "light-dark(#cf222e, #ff7b72)", fontWeight: "bold" },
  ".tok-keyword": token("#cf222e", "#ff7b72"),
  ".tok-string, .tok-string2": token("#0a3069", "#a5d6ff"),
  ".tok-number, .tok-bool, .tok-atom": token("#0550ae", "#79c0ff"),
  ".tok-comment": { ...token("#59636e", "#9198a1"), fontStyle: "italic" },
  ".tok-typeName": token("#953800", "#ffa657"),
  ".tok-variableName.tok-definition, .tok-propertyName.tok-definition": token("#6639ba", "#d2a8ff"),
  ".tok-variableName2": token("#0550ae", "#79c0ff"),
});
