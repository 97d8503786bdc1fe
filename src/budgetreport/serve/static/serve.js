// budgetreport serve: keeps the index and a center's page in step with the files.
// Every text from the data is put in with textContent, never as markup.
"use strict";

const FILE_NAMES = { pdf: "PDF", xlsx: "Excel", html: "网页版" };

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

async function getJSON(url, options) {
  const response = await fetch(url, Object.assign({ cache: "no-store" }, options || {}));
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

// The same markup as the pages' file_links macro (pages/macros.html.j2).
function fileLinks(item) {
  const span = el("span", null, item.outdated ? "file-links outdated" : "file-links");
  for (const kind of ["pdf", "xlsx", "html"]) {
    if (!item.files[kind]) continue;
    const a = el("a", FILE_NAMES[kind] + (item.outdated ? "（已过时）" : ""));
    a.href = item.files[kind];
    if (kind === "html") a.target = "_blank";
    span.append(a, " ");
  }
  if (item.outdated) {
    span.append(el("span", `已过时：数据文件于 ${item.outdated} 修改，请重新生成`, "outdated-note"));
  }
  return span;
}

// --- live connection ---------------------------------------------------------------

function follow(refresh) {
  const live = document.getElementById("live");
  const source = new EventSource("/events");
  source.onopen = () => { live.textContent = "实时更新中"; live.className = "live on"; };
  source.onerror = () => { live.textContent = "连接中断，正在重连…"; live.className = "live off"; };
  source.onmessage = () => { refresh().catch((e) => console.error(e)); };
}

// --- the index -----------------------------------------------------------------------

// The server renders the list (it shows without JavaScript); an update takes its rows anew.
async function refreshIndex() {
  const response = await fetch("/", { cache: "no-store" });
  if (!response.ok) throw new Error(`/: ${response.status}`);
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
  document.querySelector("#centers tbody").replaceWith(fresh.querySelector("#centers tbody"));
  document.getElementById("empty").hidden = fresh.getElementById("empty").hidden;
}

// --- a center's page ---------------------------------------------------------------

const shown = { version: -1, rendered: -1 };

function frameDocument() {
  const frame = document.getElementById("document");
  return frame.contentDocument;
}

function textElement(doc, text) {
  if (!text) return null;
  const walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest("nav")) continue; // not the contents
    if (node.data.includes(text)) return node.parentElement;
  }
  return null;
}

// Where a problem shows in the document (see preview.target): only a place that is the
// problem's own — its line's row or cell, its figure's cell, its sentence — else its table;
// never another cell that merely holds the same amount.
function locate(doc, t) {
  if (!doc || !doc.body || !t) return null;
  if (t.code) {
    // The first table that has the field's own column, else the first row with the code.
    const rows = [...doc.querySelectorAll(`tr[data-code="${CSS.escape(t.code)}"]`)];
    const selector = t.key ? `td[data-key="${CSS.escape(t.key)}"]` : null;
    const cell = selector && rows.map((row) => row.querySelector(selector)).find(Boolean);
    if (cell || rows.length) return cell || rows[0];
  }
  if (t.path) {
    const cells = [...doc.querySelectorAll("td[data-key]")].filter(
      (td) => td.dataset.key === t.path || td.dataset.key.startsWith(`${t.path}.`));
    if (cells.length) return cells.find((td) => td.dataset.key === t.path) || cells[0];
  }
  const sentence = textElement(doc, t.text);
  if (sentence) return sentence;
  return t.anchor ? doc.getElementById(t.anchor) : null;
}

// The place shown stays marked, and holds the keyboard focus, until the next click or key.
let marked = null;

function unmark() {
  if (!marked) return;
  const { node, shown, before, listening } = marked;
  listening.abort();
  [shown.style.outline, shown.style.backgroundColor] = before;
  shown.removeAttribute("data-flash");
  if (node.dataset.tabindexAdded) {
    node.removeAttribute("tabindex");
    delete node.dataset.tabindexAdded;
  }
  marked = null;
}

function flash(node) {
  unmark();
  const doc = node.ownerDocument;
  const whole = node.tagName === "SECTION";  // a whole table: shown from its caption
  const shown = whole ? node.querySelector("table") || node : node;
  const table = whole ? shown : node.closest("table");
  const view = doc.defaultView.innerHeight;
  if (table && (whole || table.getBoundingClientRect().height < view * 0.9)) {
    table.scrollIntoView({ block: "start" });  // the caption above the place, in sight
    doc.defaultView.scrollBy(0, -16);
  } else {
    node.scrollIntoView({ block: "center" });
  }
  const listening = new AbortController();
  marked = { node, shown, before: [shown.style.outline, shown.style.backgroundColor], listening };
  shown.style.outline = "3px solid #c0392b";
  if (!whole) shown.style.backgroundColor = "#fff3b0";
  shown.setAttribute("data-flash", "");
  if (!node.hasAttribute("tabindex")) {
    node.setAttribute("tabindex", "-1");
    node.dataset.tabindexAdded = "1";
  }
  node.focus({ preventScroll: true });
  setTimeout(() => {  // after the click that asked for it
    if (listening.signal.aborted) return;
    for (const target of [document, doc]) {
      for (const kind of ["pointerdown", "keydown"]) {
        target.addEventListener(kind, unmark, { capture: true, signal: listening.signal });
      }
    }
  }, 0);
}

function problemItem(p) {
  const item = el("li", null, `problem ${p.severity === "错误" ? "bad" : p.severity === "警告" ? "warn" : "hint"}`);
  const head = el("div", null, "head");
  head.append(el("span", p.severity, "severity"));
  if (p.line) head.append(el("span", `第${p.line}行`, "line"));
  if (p.field) head.append(el("span", p.field, "field"));
  head.append(el("span", p.code, "code"));
  item.append(head, el("div", p.message, "message"));
  if (p.target) {
    const go = el("button", "在文档中查看", "goto");
    go.type = "button";
    go.addEventListener("click", () => {
      const found = locate(frameDocument(), p.target);
      if (found) flash(found);
      else go.textContent = "文档中没有对应位置";
    });
    item.append(go);
    item.classList.add("has-target");
  }
  return item;
}

function reloadDocument() {
  const frame = document.getElementById("document");
  const win = frame.contentWindow;
  const y = win ? win.scrollY : 0;
  frame.addEventListener("load", () => frame.contentWindow.scrollTo(0, y), { once: true });
  frame.contentWindow.location.replace(frame.getAttribute("src"));
}

async function refreshCenter() {
  const key = document.body.dataset.key;
  const s = await getJSON(`/c/${encodeURIComponent(key)}/state`);
  const status = document.getElementById("status");
  status.textContent = s.status;
  status.className = `status ${s.severity}`;
  document.getElementById("stale").hidden = !s.stale;
  document.querySelector(".preview").classList.toggle("stale", s.stale);
  const files = document.getElementById("files");
  files.replaceChildren(fileLinks(s));
  if (s.version !== shown.version) {
    const list = document.getElementById("problems");
    list.replaceChildren(...s.problems.map(problemItem));
    document.getElementById("clean").hidden = s.problems.length > 0;
    shown.version = s.version;
  }
  if (shown.rendered !== -1 && s.rendered !== shown.rendered) reloadDocument();
  shown.rendered = s.rendered;
  document.body.dataset.version = String(s.version);
}

async function build() {
  const key = document.body.dataset.key;
  const button = document.getElementById("build");
  const out = document.getElementById("build-result");
  button.disabled = true;
  out.replaceChildren(el("p", "正在生成 PDF 与 Excel…"));
  try {
    const r = await getJSON(`/c/${encodeURIComponent(key)}/build`, { method: "POST" });
    out.replaceChildren(el("p", `生成结果：${r.result}`, r.status === "failed" ? "bad" : "ok"));
    if (r.messages.length) {
      const list = el("ul");
      for (const m of r.messages) list.append(el("li", m));
      out.append(list);
    }
    if (r.status !== "failed") out.append(fileLinks({ files: r.files, outdated: "" }));
  } catch (e) {
    out.replaceChildren(el("p", `生成失败：${e.message}`, "bad"));
  } finally {
    button.disabled = false;
  }
}

// Printing the page prints the document: the frame is as tall as what it shows
// (serve.css hides the buttons and the problems in print).
function fitFrameForPrint() {
  const frame = document.getElementById("document");
  const doc = frame.contentDocument;
  if (doc && doc.documentElement) frame.style.height = `${doc.documentElement.scrollHeight}px`;
}

if (document.body.classList.contains("index")) {
  follow(refreshIndex);
} else if (document.body.classList.contains("center")) {
  document.getElementById("build").addEventListener("click", build);
  document.getElementById("print").addEventListener("click",
    () => document.getElementById("document").contentWindow.print());
  window.addEventListener("beforeprint", fitFrameForPrint);
  window.addEventListener("afterprint", () => { document.getElementById("document").style.height = ""; });
  refreshCenter();
  follow(refreshCenter);
}
