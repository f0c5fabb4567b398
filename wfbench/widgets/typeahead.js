// wfbench's page script (an anywidget front end; the kernel side is typeahead.py).
//
// 1. Type-ahead boxes. A text box (or text area) of a form that carries the class
//    "wfb-ta-<key>" gets a list under it: the entries the kernel published for that key,
//    read from the page's hidden lists holders (HTML widgets marked "wfb-ta-lists", whose
//    text is JSON: key -> {mode, whole, items}; not this model's traits, which anywidget
//    stops updating for good when a model took over 2 s to start). In "reference" mode
//    the list offers the references that fit the field, each with its kind and sample
//    value, filtered by what is typed after "{{" (or by the words typed into a box without
//    "{{"); picking one puts "{{ ref }}" at the cursor (replacing the expression the
//    cursor is in, or the whole value when the field takes one expression). In "choice"
//    mode a pick sets the value. Keyboard: typing filters, ArrowDown/ArrowUp move, Enter or
//    Tab picks, Escape closes, Ctrl+Space opens.
//    A pick goes to the kernel as the box's own "change" event (the ipywidgets Text sends
//    its value then), so the boxes stay ordinary ipywidgets.
// 2. Ctrl+wheel (or Cmd+wheel) over a wfbench graph zooms the drawing around the pointer; a
//    plain wheel is left alone, so it scrolls the page (cytoscape's wheel zoom is off).
//
// Both are page-wide listeners on the document, installed once per page; this widget
// draws nothing. The zoom step comes from the models of the kernels that displayed it.

const MAX_SHOWN = 60;
const state = (window.__wfbPage = window.__wfbPage || { models: new Set(), installed: false });

const parsed = new WeakMap(); // a lists holder -> [its text, the lists it says]

function listFor(key) {
  for (const holder of document.querySelectorAll(".wfb-ta-lists")) {
    const text = holder.textContent || "";
    let known = parsed.get(holder);
    if (!known || known[0] !== text) {
      let lists = {};
      try {
        lists = text.trim() ? JSON.parse(text) : {};
      } catch (error) {
        console.debug("[wfbench] unreadable type-ahead lists", error);
      }
      known = [text, lists];
      parsed.set(holder, known);
    }
    if (known[1][key]) return known[1][key];
  }
  return null;
}

// Whether a change to the page touched a lists holder (its text, or a holder drawn).
function touchesLists(record) {
  const target = record.target instanceof Element ? record.target : record.target.parentElement;
  if (target && target.closest(".wfb-ta-lists")) return true;
  for (const node of record.addedNodes) {
    // (on every change to the page: a class test and a live collection, no selector walk)
    if (!(node instanceof Element)) continue;
    if (node.classList.contains("wfb-ta-lists")) return true;
    if (node.getElementsByClassName("wfb-ta-lists").length) return true;
  }
  return false;
}

function listsChanged() {
  // A box focused (or typed into) before the kernel published its list gets it now.
  const focused = document.activeElement;
  if (isBox(focused) && focused !== box) {
    if (attach(focused)) refresh(isPlaceholder(focused.value));
    return;
  }
  if (box && list.style.display === "block") {
    const found = box.isConnected && listFor(keyOf(box));
    if (found) spec = found;
    else close();
  }
}

function step() {
  for (const model of state.models) return model.get("step") || 1.15;
  return 1.15;
}

function tokenAt(text, caret) {
  const before = text.slice(0, caret);
  const open = before.lastIndexOf("{{");
  const close = before.lastIndexOf("}}");
  if (open >= 0 && open > close) {
    const after = text.slice(caret);
    const end = after.indexOf("}}");
    const next = after.indexOf("{{");
    const stop = end >= 0 && (next < 0 || end < next) ? caret + end + 2 : caret;
    return { start: open, end: stop, query: before.slice(open + 2).trim(), inside: true };
  }
  if (!text.includes("{{")) return { start: 0, end: text.length, query: text.trim(), inside: false };
  return { start: caret, end: caret, query: "", inside: false };
}

function isPlaceholder(text) {
  const t = text.trim();
  return !t || /^\{\{([^{}]*)\}\}$/.test(t);
}

// How well value matches what was typed: 0 starts with it, 1 has it after a "." or "_",
// 2 has it, 3 has its words in order ("user id": steps.user.output.id), -1 not at all.
function rank(value, query) {
  if (!query) return 0;
  const v = value.toLowerCase();
  const q = query.toLowerCase();
  if (v.startsWith(q)) return 0;
  const i = v.indexOf(q);
  if (i >= 0) return v[i - 1] === "." || v[i - 1] === "_" ? 1 : 2;
  let at = 0;
  for (const part of q.split(/[\s.]+/).filter(Boolean)) {
    const j = v.indexOf(part, at);
    if (j < 0) return -1;
    at = j + part.length;
  }
  return 3;
}

// ---------------------------------------------------------------- the one list of the page
const list = document.createElement("ul");
list.className = "wfb-ta-list";
list.id = "wfb-ta-list";
list.setAttribute("role", "listbox");
let box = null; // the box the list belongs to
let spec = null; // its list from the kernel: {mode, whole, items}
let shown = [];
let active = -1;
let token = null;

function keyOf(el) {
  const holder = el.closest(".wfb-ta-box");
  if (!holder) return null;
  for (const cls of holder.classList) {
    if (cls.startsWith("wfb-ta-") && cls !== "wfb-ta-box") return cls;
  }
  return null;
}

function close() {
  list.style.display = "none";
  if (box) {
    box.setAttribute("aria-expanded", "false");
    box.removeAttribute("aria-activedescendant");
  }
  shown = [];
  active = -1;
}

function place() {
  const r = box.getBoundingClientRect();
  list.style.minWidth = Math.max(r.width, 260) + "px";
  const width = list.offsetWidth;
  list.style.left = Math.max(4, Math.min(r.left, window.innerWidth - width - 8)) + "px";
  list.style.top = r.bottom + 2 + "px";
}

function highlight(i) {
  const items = list.children;
  if (active >= 0 && items[active]) items[active].classList.remove("wfb-ta-active");
  active = i;
  if (active >= 0 && items[active]) {
    items[active].classList.add("wfb-ta-active");
    items[active].scrollIntoView({ block: "nearest" });
    box.setAttribute("aria-activedescendant", items[active].id);
  }
}

// pre: whether the first entry is highlighted (Enter picks it); not for words typed into
// a text field, where Enter keeps the text (ArrowDown reaches the list there).
function open(query, pre = true) {
  const found = [];
  for (const s of spec.items) {
    let best = rank(s.value, query);
    if (best < 0 && spec.mode === "choice" && s.text && rank(s.text, query) >= 0) best = 4;
    if (best >= 0) found.push([best, found.length, s]);
  }
  found.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  shown = found.slice(0, MAX_SHOWN).map((f) => f[2]);
  list.replaceChildren();
  if (!shown.length || box.disabled) {
    close();
    return;
  }
  shown.forEach((s, i) => {
    const li = document.createElement("li");
    li.className = "wfb-ta-item";
    li.id = "wfb-ta-item-" + i;
    li.setAttribute("role", "option");
    li.dataset.value = s.value;
    for (const [cls, text] of [["wfb-ta-value", s.value], ["wfb-ta-kind", s.kind], ["wfb-ta-text", s.text]]) {
      if (!text) continue;
      const span = document.createElement("span");
      span.className = cls;
      span.textContent = text;
      li.appendChild(span);
    }
    li.addEventListener("mousedown", (event) => event.preventDefault()); // keep the focus
    li.addEventListener("click", () => pick(i));
    list.appendChild(li);
  });
  if (!list.isConnected) document.body.appendChild(list);
  list.style.display = "block";
  place();
  box.setAttribute("aria-expanded", "true");
  box.setAttribute("aria-controls", list.id);
  active = -1;
  if (pre) highlight(0);
}

function refresh(onFocus) {
  const text = box.value;
  if (spec.mode === "choice") {
    token = { start: 0, end: text.length, query: text.trim() };
    open(token.query, !onFocus);
    return;
  }
  if (onFocus) {
    if (isPlaceholder(text)) {
      token = { start: 0, end: text.length, query: "" };
      open("");
    }
    return;
  }
  token = tokenAt(text, box.selectionStart ?? text.length);
  const rest = (text.slice(0, token.start) + text.slice(token.end)).trim();
  if (token.inside || spec.whole) open(token.query);
  else if (rest === "") open(token.query, false);
  else close();
}

// The list for what the cursor is in: the expression it is inside, else everything (a pick
// goes in at the cursor; in a field that takes one expression, replaces it).
function atCaret() {
  const text = box.value;
  const caret = box.selectionStart ?? text.length;
  token = tokenAt(text, caret);
  if (!token.inside) token = { start: caret, end: caret, query: "" };
  open(token.query);
}

function pick(i) {
  const s = shown[i];
  if (!s || !box) return;
  let text = box.value;
  let caret;
  if (spec.mode === "choice") {
    text = s.value;
    caret = text.length;
  } else {
    const insert = "{{ " + s.value + " }}";
    if (spec.whole || token === null) {
      text = insert;
      caret = text.length;
    } else {
      text = text.slice(0, token.start) + insert + text.slice(token.end);
      caret = token.start + insert.length;
    }
  }
  box.value = text;
  box.setSelectionRange(caret, caret);
  close();
  box.dispatchEvent(new Event("change", { bubbles: true })); // the Text sends its value
}

function attach(el) {
  const key = keyOf(el);
  const found = key && listFor(key);
  if (box !== el) close(); // another box's list never stays over this one
  if (!found) return false; // its list has not come yet: see listsChanged
  box = el;
  spec = found;
  box.setAttribute("role", "combobox");
  box.setAttribute("aria-autocomplete", "list");
  box.setAttribute("autocomplete", "off");
  return true;
}

function isBox(el) {
  return (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) && keyOf(el);
}

function install() {
  if (state.installed) return;
  state.installed = true;
  document.addEventListener(
    "focusin",
    (event) => {
      if (isBox(event.target) && attach(event.target)) refresh(true);
    },
    true,
  );
  document.addEventListener(
    "input",
    (event) => {
      if (isBox(event.target) && attach(event.target)) refresh(false);
    },
    true,
  );
  document.addEventListener(
    "focusout",
    (event) => {
      if (event.target === box) close();
    },
    true,
  );
  document.addEventListener(
    "keydown",
    (event) => {
      if (!isBox(event.target) || !attach(event.target)) return;
      const isOpen = list.style.display === "block";
      const multiline = box instanceof HTMLTextAreaElement;
      let handled = true;
      if (event.key === " " && event.ctrlKey) {
        if (spec.mode === "reference") atCaret();
        else open(box.value.trim());
      } else if (isOpen && event.key === "ArrowDown") {
        highlight(Math.min(active + 1, shown.length - 1));
      } else if (isOpen && event.key === "ArrowUp") {
        highlight(Math.max(active - 1, 0));
      } else if (isOpen && (event.key === "Enter" || event.key === "Tab") && active >= 0) {
        pick(active);
      } else if (isOpen && event.key === "Escape") {
        close();
      } else {
        handled = false;
        if (isOpen && event.key === "Enter" && !multiline) close();
      }
      if (handled) {
        event.preventDefault();
        event.stopPropagation(); // neither the box's own handlers nor the notebook's keys
      }
    },
    true,
  );
  const moved = () => {
    if (box && list.style.display === "block") {
      if (box.isConnected) place();
      else close();
    }
  };
  new MutationObserver((records) => {
    if (records.some(touchesLists)) listsChanged();
  }).observe(document.body, { childList: true, subtree: true, characterData: true });
  window.addEventListener("scroll", moved, true);
  window.addEventListener("resize", moved);
  document.addEventListener(
    "wheel",
    (event) => {
      if (event.ctrlKey || event.metaKey) zoomAt(event);
    },
    { capture: true, passive: false },
  );
}

// ---------------------------------------------------------------- Ctrl+wheel over a graph
function zoomAt(event) {
  const target = event.target instanceof Element ? event.target : null;
  const container = target && target.closest(".wfb-graph-box .__________cytoscape_container");
  const cy = container && container._cyreg && container._cyreg.cy;
  if (!cy) return;
  event.preventDefault(); // neither the page nor the browser's own zoom
  const rect = container.getBoundingClientRect();
  const notches = Math.max(-5, Math.min(5, -event.deltaY / 100));
  const level = Math.min(cy.maxZoom(), Math.max(cy.minZoom(), cy.zoom() * step() ** notches));
  cy.zoom({ level, renderedPosition: { x: event.clientX - rect.left, y: event.clientY - rect.top } });
}

// JupyterLab proper (a main area that can take a tab), not Notebook 7, Voila or others.
function frontend() {
  const lab = /(^|\/)lab(\/|$)/.test(window.location.pathname);
  return lab && document.getElementById("jp-main-dock-panel") ? "jupyterlab" : "other";
}

function render({ model, el }) {
  el.style.display = "none";
  if (!model.get("frontend")) {
    model.set("frontend", frontend());
    model.save_changes();
  }
  state.models.add(model);
  install();
}

export default { render };
