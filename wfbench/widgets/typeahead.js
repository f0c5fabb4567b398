// wfbench's type-ahead text box (an anywidget front end; the kernel side is typeahead.py).
//
// A text box (or text area) with a list under it. In "reference" mode the list offers
// the references that fit the field, each with its kind and sample value, filtered by
// what is typed after "{{" (or by the word being typed into an empty field); picking
// one puts "{{ ref }}" at the cursor (replacing the expression the cursor is in, or
// the whole value when the field takes one expression). In "choice" mode the list
// offers choices (an action of the catalogue) and a pick sets the value.
//
// Keyboard: typing filters, ArrowDown/ArrowUp move, Enter or Tab picks, Escape closes,
// Ctrl+Space opens the list. The value is sent to the kernel on a pick, on Enter and
// when the box loses focus (like a Text with continuous_update=False).

const MAX_SHOWN = 60;

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
  const word = /[A-Za-z_][\w.]*$/.exec(before);
  if (word) {
    return { start: word.index, end: caret, query: word[0], inside: false };
  }
  return { start: caret, end: caret, query: "", inside: false };
}

function isPlaceholder(text) {
  const t = text.trim();
  if (!t) return true;
  const m = /^\{\{([^{}]*)\}\}$/.exec(t);
  return m !== null;
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

function render({ model, el }) {
  const multiline = model.get("multiline");
  const reference = model.get("mode") === "reference";
  const wrap = document.createElement("div");
  wrap.className = "wfb-ta";
  wrap.setAttribute("data-lm-suppress-shortcuts", "true");
  const box = document.createElement(multiline ? "textarea" : "input");
  if (!multiline) box.type = "text";
  box.className = "wfb-ta-box";
  box.spellcheck = false;
  box.autocomplete = "off";
  box.setAttribute("role", "combobox");
  box.setAttribute("aria-autocomplete", "list");
  box.setAttribute("aria-expanded", "false");
  const list = document.createElement("ul");
  list.className = "wfb-ta-list";
  list.setAttribute("role", "listbox");
  list.id = "wfb-ta-" + Math.random().toString(36).slice(2);
  box.setAttribute("aria-controls", list.id);
  wrap.appendChild(box);
  let opener = null;
  if (reference) {
    opener = document.createElement("button");
    opener.type = "button";
    opener.className = "wfb-ta-open";
    opener.textContent = "{ }";
    opener.title = "insert a reference that fits this field (Ctrl+Space)";
    opener.tabIndex = -1;
    wrap.appendChild(opener);
  }
  wrap.appendChild(list);
  el.appendChild(wrap);

  let shown = [];
  let active = -1;
  let token = null;

  function sync() {
    box.value = model.get("value");
    box.placeholder = model.get("placeholder");
    box.disabled = model.get("disabled");
    const label = model.get("label");
    if (label) box.setAttribute("aria-label", label);
    else box.removeAttribute("aria-label");
    if (multiline) box.style.height = model.get("rows") * 1.5 + 0.6 + "em";
  }

  function commit() {
    if (box.value !== model.get("value")) {
      model.set("value", box.value);
      model.save_changes();
    }
  }

  function close() {
    list.style.display = "none";
    box.setAttribute("aria-expanded", "false");
    box.removeAttribute("aria-activedescendant");
    shown = [];
    active = -1;
  }

  function place() {
    // fixed, so no scrolling box clips it; but an ancestor with a transform or CSS
    // containment (JupyterLab's panels) is then its frame: measure where (0, 0) lands
    const r = box.getBoundingClientRect();
    list.style.left = "0px";
    list.style.top = "0px";
    list.style.minWidth = Math.max(r.width, 260) + "px";
    const origin = list.getBoundingClientRect();
    const width = list.offsetWidth;
    const left = Math.max(4, Math.min(r.left, window.innerWidth - width - 8));
    list.style.left = left - origin.left + "px";
    list.style.top = r.bottom + 2 - origin.top + "px";
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

  // pre: whether the first entry is highlighted (Enter picks it). Not for words typed into
  // a text field, where Enter keeps the text: ArrowDown reaches the list there.
  function open(query, pre = true) {
    const all = model.get("suggestions");
    const found = [];
    for (const s of all) {
      let best = rank(s.value, query);
      if (best < 0 && !reference && s.text && rank(s.text, query) >= 0) best = 4;
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
      li.id = list.id + "-" + i;
      li.setAttribute("role", "option");
      li.dataset.value = s.value;
      const name = document.createElement("span");
      name.className = "wfb-ta-value";
      name.textContent = s.value;
      li.appendChild(name);
      if (s.kind) {
        const kind = document.createElement("span");
        kind.className = "wfb-ta-kind";
        kind.textContent = s.kind;
        li.appendChild(kind);
      }
      if (s.text) {
        const sample = document.createElement("span");
        sample.className = "wfb-ta-text";
        sample.textContent = s.text;
        li.appendChild(sample);
      }
      li.addEventListener("mousedown", (event) => event.preventDefault()); // keep the focus
      li.addEventListener("click", () => pick(i));
      list.appendChild(li);
    });
    list.style.display = "block";
    place();
    box.setAttribute("aria-expanded", "true");
    active = -1;
    if (pre) highlight(0);
  }

  function refresh(onFocus) {
    const text = box.value;
    const caret = box.selectionStart ?? text.length;
    token = tokenAt(text, caret);
    if (!reference) {
      open(text.trim());
      return;
    }
    const whole = model.get("whole");
    if (!text.includes("{{")) token = { start: 0, end: text.length, query: text.trim() };
    const rest = (text.slice(0, token.start) + text.slice(token.end)).trim();
    if (onFocus) {
      if (isPlaceholder(text)) {
        token = { start: 0, end: text.length, query: "", inside: false };
        open("");
      }
      return;
    }
    if (token.inside || whole) open(token.query);
    else if (rest === "") open(token.query, false);
    else close();
  }

  // The list for what the cursor is in: the expression it is inside, else everything
  // (a pick goes in at the cursor; in a field that takes one expression, replaces it).
  function atCaret() {
    const text = box.value;
    const caret = box.selectionStart ?? text.length;
    token = tokenAt(text, caret);
    if (!token.inside) token = { start: caret, end: caret, query: "", inside: false };
    open(token.query);
  }

  function pick(i) {
    const s = shown[i];
    if (!s) return;
    let text = box.value;
    let caret;
    if (!reference) {
      text = s.value;
      caret = text.length;
    } else {
      const insert = "{{ " + s.value + " }}";
      if (model.get("whole") || token === null) {
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
    commit();
  }

  box.addEventListener("input", () => refresh(false));
  box.addEventListener("focus", () => refresh(true));
  box.addEventListener("blur", () => {
    close();
    commit();
  });
  box.addEventListener("keydown", (event) => {
    const isOpen = list.style.display === "block";
    let handled = true;
    if (event.key === " " && event.ctrlKey) {
      if (reference) atCaret();
      else open(box.value.trim());
    } else if (isOpen && event.key === "ArrowDown") {
      highlight(Math.min(active + 1, shown.length - 1));
    } else if (isOpen && event.key === "ArrowUp") {
      highlight(Math.max(active - 1, 0));
    } else if (isOpen && (event.key === "Enter" || event.key === "Tab") && active >= 0) {
      pick(active);
    } else if (isOpen && event.key === "Escape") {
      close();
    } else if (event.key === "Enter" && !multiline) {
      close(); // nothing highlighted: Enter keeps the text, as in any text box
      commit();
    } else {
      handled = false;
    }
    if (handled) event.preventDefault();
    event.stopPropagation(); // the notebook's shortcuts stay out of a text box
  });
  if (opener !== null) {
    opener.addEventListener("mousedown", (event) => event.preventDefault());
    opener.addEventListener("click", () => {
      box.focus();
      atCaret();
    });
  }
  const moved = () => {
    if (list.style.display === "block") place();
  };
  window.addEventListener("scroll", moved, true);
  window.addEventListener("resize", moved);

  sync();
  close();
  model.on("change:value", () => {
    if (box.value !== model.get("value")) box.value = model.get("value");
  });
  model.on("change:placeholder change:disabled change:label change:rows", sync);
  model.on("change:suggestions", () => {
    if (list.style.display === "block") refresh(false);
  });
  return () => {
    window.removeEventListener("scroll", moved, true);
    window.removeEventListener("resize", moved);
  };
}

export default { render };
