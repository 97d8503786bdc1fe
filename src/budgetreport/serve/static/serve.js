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

function fileLinks(files) {
  const span = el("span", null, "file-links");
  for (const kind of ["pdf", "xlsx", "html"]) {
    if (!files[kind]) continue;
    const a = el("a", FILE_NAMES[kind]);
    a.href = files[kind];
    if (kind === "html") a.target = "_blank";
    span.append(a, " ");
  }
  return span;
}

function statusClass(item) {
  return item.errors ? "bad" : item.warnings ? "warn" : "ok";
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

async function refreshIndex() {
  const centers = await getJSON("/state");
  const body = document.querySelector("#centers tbody");
  body.replaceChildren();
  for (const c of centers) {
    const row = el("tr");
    const name = el("td");
    const link = el("a", c.name);
    link.href = `/c/${encodeURIComponent(c.key)}`;
    name.append(link, el("span", ` ${c.key}.yaml`, "file"));
    const files = el("td");
    files.append(fileLinks(c.files));
    row.append(name, el("td", c.year), el("td", c.region),
      el("td", c.status, `status ${statusClass(c)}`), el("td", c.built || "尚未生成"), files);
    body.append(row);
  }
  document.getElementById("empty").hidden = centers.length > 0;
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

// Where a problem shows in the document (see workspace.target).
function locate(doc, t) {
  if (!doc || !doc.body || !t) return null;
  if (t.code) {
    // The first table that has the field's own column, else the first row with the code.
    const rows = [...doc.querySelectorAll("td.code")]
      .filter((td) => td.textContent.trim() === t.code).map((td) => td.parentElement);
    const selector = t.key ? `td[data-key="${CSS.escape(t.key)}"]` : null;
    const cell = selector && rows.map((row) => row.querySelector(selector)).find(Boolean);
    if (cell || rows.length) return cell || rows[0];
  }
  if (t.amount) {
    const cell = [...doc.querySelectorAll("td.money")].find((td) => td.textContent.trim() === t.amount);
    if (cell) return cell;
  }
  const sentence = textElement(doc, t.text);
  if (sentence) return sentence;
  return t.anchor ? doc.getElementById(t.anchor) : null;
}

function flash(node) {
  node.scrollIntoView({ block: "center" });
  const before = [node.style.outline, node.style.backgroundColor];
  node.style.outline = "3px solid #c0392b";
  node.style.backgroundColor = "#fff3b0";
  node.setAttribute("data-flash", "");
  setTimeout(() => {
    [node.style.outline, node.style.backgroundColor] = before;
    node.removeAttribute("data-flash");
  }, 2500);
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
  status.className = `status ${statusClass(s)}`;
  document.getElementById("stale").hidden = !s.stale;
  document.querySelector(".preview").classList.toggle("stale", s.stale);
  const files = document.getElementById("files");
  files.replaceChildren(fileLinks(s.files));
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
    if (r.status !== "failed") out.append(fileLinks(r.files));
  } catch (e) {
    out.replaceChildren(el("p", `生成失败：${e.message}`, "bad"));
  } finally {
    button.disabled = false;
  }
}

if (document.body.classList.contains("index")) {
  refreshIndex();
  follow(refreshIndex);
} else if (document.body.classList.contains("center")) {
  document.getElementById("build").addEventListener("click", build);
  refreshCenter();
  follow(refreshCenter);
}
