// The review desk's page. Every piece of run text arrives as JSON and is put into the page
// with textContent (never innerHTML), so an article's markup shows as text.
"use strict";

const TOKEN = document.querySelector('meta[name="desk-token"]').content;
const main = document.getElementById("main");
const state = { progress: { reviewed: 0, reviewable: 0, read_only: true }, article: null, focus: 0, editing: false, filter: "all",
                sort: { key: "position", down: false }, shownRows: 300, changes: [] };

// -- helpers -------------------------------------------------------------------------------

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// replaceChildren turns null into the text "null": only nodes and strings go in.
function fill(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

function toast(message, kind) {
  const box = document.getElementById("toast");
  box.textContent = message;
  box.className = kind || "";
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.textContent = ""; box.className = ""; }, 6000);
}

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST", body: JSON.stringify(body),
    headers: { "Content-Type": "application/json", "X-Desk-Token": TOKEN } };
  const response = await fetch(path, options);
  let data = {};
  try { data = await response.json(); } catch (err) { data = { error: response.statusText }; }
  if (!response.ok) {
    const error = new Error(data.error || `request failed (${response.status})`);
    error.status = response.status;
    error.data = data;
    throw error;
  }
  return data;
}

function count(entries) {
  return Object.entries(entries || {}).map(([key, n]) => `${key} ${n}`).join(", ");
}

function progressText(done, total) {
  return `${done}/${total} reviewed`;
}

// -- routing -------------------------------------------------------------------------------

// A hash typed by hand may hold a lone "%" (#/search/50%): what decodes is decoded, the
// rest is taken as it is, instead of a URIError that leaves the old view on screen.
function decodeHash(text) {
  try { return decodeURIComponent(text); } catch (err) {
    return text.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
      try { return decodeURIComponent(run); } catch (e) { return run; } });
  }
}

async function route() {
  const hash = decodeHash(location.hash.slice(1) || "/");
  state.article = null;  // until the new view is drawn, no key acts on the old one
  state.editing = false;
  const ticket = state.route = (state.route || 0) + 1;
  state.current = () => state.route === ticket;
  try {
    if (hash.startsWith("/article/")) await showArticle(hash.slice(9));
    else if (hash.startsWith("/search/")) await showSearch(hash.slice(8));
    else await showIndex();
  } catch (err) {
    if (state.route === ticket) fill(main, el("p", { class: "error" }, err.message));
  }
}

function go(hash) {
  location.hash = "#" + hash.split("/").map(encodeURIComponent).join("/");
}

function showRunProgress(run) {
  state.progress = run;
  document.getElementById("run-progress").textContent =
    `Run: ${progressText(run.reviewed, run.reviewable)}` + (run.read_only ? " · read-only" : "");
}

async function loadRun() {
  const data = await api("/api/run");
  showRunProgress(data.run);
  return data;
}

// -- the index -----------------------------------------------------------------------------

const COLUMNS = [
  ["position", "#"], ["headline", "Headline"], ["lang", "Language"], ["site", "Site"],
  ["date", "Date"], ["segments", "Segments"], ["flagged", "Flags"], ["reviewed", "Reviewed"]];

function rowValue(row, key) {
  if (key === "segments") return Object.values(row.statuses).reduce((a, b) => a + b, 0);
  if (key === "flagged") return Object.values(row.flags).reduce((a, b) => a + b, 0);
  if (key === "reviewed") return row.reviewable ? row.reviewed / row.reviewable : 2;
  return row[key] ?? "";
}

async function showIndex() {
  const current = state.current;
  const data = await loadRun();
  if (!current()) return;
  const langs = [...new Set(data.articles.map((a) => a.lang).filter(Boolean))].sort();
  const flags = [...new Set(data.articles.flatMap((a) => Object.keys(a.flags)))].sort();
  const filterText = el("input", { type: "search", id: "index-filter",
                                   placeholder: "Filter by headline, site or id" });
  const langSelect = el("select", { id: "index-lang", "aria-label": "Language" },
                        el("option", { value: "" }, "All languages"),
                        langs.map((l) => el("option", { value: l }, l)));
  const flagSelect = el("select", { id: "index-flag", "aria-label": "Flag" },
                        el("option", { value: "" }, "Any flag"),
                        flags.map((f) => el("option", { value: f }, f)));
  const unreviewed = el("input", { type: "checkbox", id: "index-unreviewed" });
  const table = el("table", { id: "articles" });
  const render = () => {
    const text = filterText.value.trim().toLowerCase();
    let rows = data.articles.filter((a) =>
      (!text || [a.headline, a.site, a.article].some((v) => (v || "").toLowerCase().includes(text)))
      && (!langSelect.value || a.lang === langSelect.value)
      && (!flagSelect.value || a.flags[flagSelect.value])
      && (!unreviewed.checked || a.reviewed < a.reviewable));
    const { key, down } = state.sort;
    rows = rows.slice().sort((a, b) => {
      const x = rowValue(a, key), y = rowValue(b, key);
      const order = typeof x === "number" && typeof y === "number" ? x - y
        : String(x).localeCompare(String(y));
      return down ? -order : order;
    });
    const head = el("tr", {}, COLUMNS.map(([k, label]) => el("th", { scope: "col" },
      el("button", { type: "button", class: "sort", "data-key": k, onclick: () => {
        state.sort = { key: k, down: state.sort.key === k ? !state.sort.down : false };
        render(); } }, label + (key === k ? (down ? " ▼" : " ▲") : "")))));
    const body = rows.slice(0, state.shownRows).map((a) => el("tr", { class: "article-row",
      "data-article": a.article },
      el("td", {}, a.position + 1),
      el("td", {}, el("a", { href: "#/article/" + encodeURIComponent(a.article) },
                      a.headline || a.article), a.error ? el("span", { class: "error" }, " " + a.error) : null),
      el("td", {}, a.lang || "?"), el("td", {}, a.site || ""), el("td", {}, a.date || ""),
      el("td", {}, count(a.statuses)), el("td", {}, count(a.flags)),
      el("td", { class: a.reviewed >= a.reviewable && a.reviewable ? "done" : "" },
         progressText(a.reviewed, a.reviewable))));
    table.replaceChildren(el("thead", {}, head), el("tbody", {}, body));
    more.hidden = rows.length <= state.shownRows;
    more.textContent = `Show ${rows.length - state.shownRows} more`;
    shown.textContent = `${rows.length} of ${data.articles.length} articles`;
  };
  const more = el("button", { type: "button", onclick: () => { state.shownRows += 1000; render(); } });
  const shown = el("span", { id: "index-count" });
  filterText.addEventListener("input", render);
  for (const input of [langSelect, flagSelect, unreviewed]) input.addEventListener("change", render);
  const run = data.run;
  main.replaceChildren(
    el("h1", {}, "Articles"),
    el("p", { class: "meta" }, `${run.out_dir} · started ${run.started || "?"} · cache ${run.cache}`
       + ` · ${run.glossary_terms} glossary terms · ${count(run.statuses)}`),
    el("div", { class: "controls" }, filterText, langSelect, flagSelect,
       el("label", {}, unreviewed, " not yet reviewed only"), shown),
    table, more);
  render();
  window.scrollTo(0, 0);
  performance.mark("desk-drawn");
}

// -- an article ----------------------------------------------------------------------------

async function showArticle(id) {
  const current = state.current;
  const article = await api("/api/article?id=" + encodeURIComponent(id));
  if (!current()) return;  // the reviewer went elsewhere meanwhile
  showRunProgress(article.run);
  const same = state.shown === article.article;
  if (!same) state.focus = firstReviewable(article);
  state.shown = article.article;
  state.article = article;
  state.editing = false;
  renderArticle();
  if (!same) window.scrollTo(0, 0);
  focusSegment(state.focus);  // in view: the article before may have been scrolled far down
  performance.mark("desk-drawn");  // benchmarks/review_desk.py reads it
}

function firstReviewable(article) {
  const i = article.segments.findIndex((s) => s.reviewable && !s.approved);
  return i >= 0 ? i : 0;
}

function visible(segment) {
  if (state.filter === "unreviewed") return segment.reviewable && !segment.approved;
  if (state.filter === "flagged") return segment.flags.length > 0;
  return true;
}

function renderArticle() {
  const a = state.article;
  const filter = el("select", { id: "segment-filter", "aria-label": "Show", onchange: (e) => {
    state.filter = e.target.value; renderArticle(); } },
    [["all", "All segments"], ["unreviewed", "Not yet reviewed"], ["flagged", "Flagged"]]
      .map(([v, label]) => el("option", { value: v, selected: state.filter === v }, label)));
  const rows = a.segments.map((s, i) => visible(s) ? segmentRow(s, i) : null);
  state.draft = termDraft();  // the details pane goes with main: keep what was typed
  main.replaceChildren(
    el("nav", { class: "article-nav" },
       a.previous ? el("a", { href: "#/article/" + encodeURIComponent(a.previous) }, "← previous") : "",
       el("a", { href: "#/" }, "all articles"),
       a.next ? el("a", { href: "#/article/" + encodeURIComponent(a.next) }, "next →") : ""),
    el("h1", {}, a.headline || a.article),
    el("p", { class: "meta" }, [a.info.lang, a.info.site, a.info.date, a.info.path]
       .filter(Boolean).join(" · "),
       a.info.source_url && /^https?:\/\//.test(a.info.source_url)
         ? el("span", {}, " · ", el("a", { href: a.info.source_url, rel: "noreferrer noopener",
                                           target: "_blank" }, "source")) : ""),
    el("div", { class: "controls" }, filter,
       el("span", { id: "article-progress" }, progressText(a.reviewed, a.reviewable))),
    el("div", { class: "desk" },
       el("table", { id: "segments" },
          el("thead", {}, el("tr", {}, ["#", "Kind", "Source", "English", "Status"]
             .map((h) => el("th", { scope: "col" }, h)))),
          el("tbody", {}, rows)),
       el("aside", { id: "details", "aria-live": "polite" })));
  focusSegment(state.focus, false);
}

function segmentRow(s, i) {
  return el("tr", { class: "seg" + (s.approved ? " approved" : "") + (s.flags.length ? " flagged" : ""),
                    "data-index": s.index, "data-position": i, onclick: () => focusSegment(i, false) },
    el("td", {}, s.index),
    el("td", {}, s.kind),
    el("td", { class: "src", lang: s.src_lang }, highlighted(s.src, s.glossary.map((g) => g.form))),
    el("td", { class: "tgt", lang: s.tgt_lang }, s.tgt === null ? el("em", {}, "no English") :
       highlighted(s.tgt, s.glossary.filter((g) => g.found).map((g) => g.entry))),
    el("td", { class: "status" }, s.approved ? "approved" : s.reviewable ? s.status : "kept",
       s.flags.map((f) => el("span", { class: "chip", title: f.reason }, f.flag)),
       s.relabel ? el("span", { class: "chip relabel", title: "a site rule relabels this line: "
                                + "the next workbench translate applies it" }, `next run: ${s.relabel}`) : null));
}

function highlighted(text, terms) {
  const wanted = [...new Set(terms.filter(Boolean))].sort((a, b) => b.length - a.length);
  if (!wanted.length) return [text];
  const lower = text.toLowerCase();
  const parts = [];
  let cursor = 0;
  while (cursor < text.length) {
    let best = null;
    for (const term of wanted) {
      const at = lower.indexOf(term.toLowerCase(), cursor);
      if (at >= 0 && (best === null || at < best.at)) best = { at, term };
    }
    if (!best) break;
    parts.push(text.slice(cursor, best.at));
    parts.push(el("mark", { title: "glossary: " + best.term },
                  text.slice(best.at, best.at + best.term.length)));
    cursor = best.at + best.term.length;
  }
  parts.push(text.slice(cursor));
  return parts;
}

function rowOf(position) {
  return main.querySelector(`tr.seg[data-position="${position}"]`);
}

function focusSegment(position, scroll = true) {
  const a = state.article;
  if (!a || !a.segments.length) return;
  state.focus = Math.max(0, Math.min(position, a.segments.length - 1));
  for (const row of main.querySelectorAll("tr.seg.focus")) row.classList.remove("focus");
  const row = rowOf(state.focus);
  if (row) {
    row.classList.add("focus");
    if (scroll) row.scrollIntoView({ block: "nearest" });
  }
  renderDetails();
}

function renderDetails() {
  const s = state.article.segments[state.focus];
  const details = document.getElementById("details");
  if (!details || !s) return;
  const readOnly = state.progress.read_only;
  const draft = termDraft() || state.draft;
  state.draft = null;
  fill(details,
    el("h2", {}, `Segment ${s.index}`, " ", el("small", {}, `${s.kind} · ${s.src_lang}→${s.tgt_lang}`)),
    el("p", {}, "Status: ", el("strong", { id: "detail-status" }, s.approved ? "approved" : s.status),
       s.score !== null ? ` · model score ${s.score.toFixed(2)}` : ""),
    s.flags.length ? el("section", { class: "why" }, el("h3", {}, "Why it is flagged"),
      el("ul", {}, s.flags.map((f) => el("li", {}, el("strong", {}, f.flag), ": ", f.reason,
        f.hint ? el("div", { class: "hint" }, f.hint) : null)))) : null,
    s.copies ? el("section", { class: "copies" }, el("h3", {},
      s.copies.exact ? "Copies segment " : "Nearly copies segment ", String(s.copies.index)),
      el("blockquote", {}, s.copies.src || "(not in this article)")) : null,
    s.glossary.length ? el("section", { class: "terms" }, el("h3", {}, "Glossary"),
      el("table", {}, el("tr", {}, ["Entry", "Form", "Result"].map((h) => el("th", { scope: "col" }, h))),
        s.glossary.map((g) => el("tr", { class: g.auto ? "auto-name" : null },
          el("td", {}, g.entry, g.auto ? el("span", { class: "chip", title: "An unseen name the run "
             + "protected: its proposed English. c accepts it into the glossary, r corrects it." },
             "automatic: c accepts, r corrects") : null), el("td", {}, g.form),
          el("td", { class: g.found ? "found" : "missed" },
             g.found ? `in the English (${g.enforced})` : `missed${g.cause ? ": " + g.cause : ""}`,
             g.forbidden.length ? ` · forbidden: ${g.forbidden.join(", ")}` : ""))))) : null,
    s.reviewable && !readOnly ? el("div", { class: "actions" },
      el("button", { type: "button", id: "edit-button", onclick: startEdit }, "Edit (e)"),
      el("button", { type: "button", id: "approve-button", onclick: () => approveAsIs() },
         "Approve as is (a)"),
      s.approved ? el("button", { type: "button", id: "withdraw-button", onclick: withdraw },
                      "Undo approval (u)") : null) : null,
    !readOnly ? termTool(s) : null,
    el("p", { class: "hint" }, "Select words in the source to add them to the glossary (t)."));
  restoreTermDraft(draft);
}

// What the reviewer typed into the term form outlives the details pane being drawn again
// (another segment, an edit saved or cancelled) within the same article.
const TERM_FIELDS = ["term-form", "term-lang", "term-target", "term-type", "term-mode"];

function termDraft() {
  const tool = document.getElementById("term-tool");
  if (!tool || !state.article) return null;
  return { article: state.article.article, open: tool.open,
           values: TERM_FIELDS.map((id) => document.getElementById(id).value),
           result: document.getElementById("term-result") };
}

function restoreTermDraft(draft) {
  const tool = document.getElementById("term-tool");
  if (!draft || !tool || draft.article !== state.article.article) return;
  tool.open = draft.open;
  TERM_FIELDS.forEach((id, i) => { document.getElementById(id).value = draft.values[i]; });
  document.getElementById("term-result").replaceWith(draft.result);
}

// -- saving --------------------------------------------------------------------------------

function startEdit() {
  const s = state.article.segments[state.focus];
  if (!s || !s.reviewable || state.editing || state.progress.read_only) return;
  const cell = rowOf(state.focus).querySelector("td.tgt");
  const box = el("textarea", { id: "editor", rows: 3, "aria-label": "English" });
  box.value = s.tgt || "";
  state.editing = true;
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      saveEdit(box.value);
    } else if (event.key === "Escape") {
      event.preventDefault();
      state.editing = false;
      renderArticle();
    }
  });
  cell.replaceChildren(box, el("div", { class: "hint" }, "Ctrl+Enter saves and approves; Esc cancels"));
  box.focus();
}

async function post(path, body) {
  try {
    const data = await api(path, body);
    applySegment(data);
    return data;
  } catch (err) {
    if (err.status === 409 && err.data && "theirs" in err.data) {
      toast(`${err.message} Their English: “${err.data.theirs ?? "(the machine's)"}”`, "error");
      const mine = body.tgt;
      state.editing = false;
      await refreshArticle();  // show the segment as it is now
      if (mine !== undefined) { startEdit(); document.getElementById("editor").value = mine; }
    } else {
      toast(err.message, "error");
    }
    return null;
  }
}

function applySegment(data) {
  const a = state.article;
  if (!a) return;
  for (const segment of data.segments || [data.segment]) {  // the sentence and its repeats
    const position = a.segments.findIndex((s) => s.index === segment.index);
    if (position >= 0) a.segments[position] = segment;
  }
  a.reviewed = data.article_reviewed;
  a.reviewable = data.article_reviewable;
  showRunProgress({ ...state.progress, reviewed: data.run_reviewed,
                    reviewable: data.run_reviewable });
  state.editing = false;
}

async function saveEdit(text) {
  const s = state.article.segments[state.focus];
  const done = await post("/api/save", { article: state.article.article, index: s.index,
                                         tgt: text, base: s.tgt });
  if (done) { toast("Saved and approved."); moveTo(nextPosition((x) => x.reviewable)); }
}

async function approveAsIs() {
  const s = state.article.segments[state.focus];
  if (!s || !s.reviewable || s.tgt === null) { toast("Nothing to approve: write the English first (e)."); return; }
  const done = await post("/api/approve", { article: state.article.article, index: s.index, base: s.tgt });
  if (done) { toast("Approved as it is."); moveTo(nextPosition((x) => x.reviewable)); }
}

async function withdraw() {
  const s = state.article.segments[state.focus];
  if (!s || !s.approved) return;
  const done = await post("/api/withdraw", { article: state.article.article, index: s.index, base: s.tgt });
  if (done) { toast("Approval undone."); renderArticle(); }
}

function nextPosition(test) {
  const segments = state.article.segments;
  for (let i = state.focus + 1; i < segments.length; i++) {
    if (visible(segments[i]) && test(segments[i])) return i;
  }
  return state.focus;
}

function previousPosition() {
  for (let i = state.focus - 1; i >= 0; i--) if (visible(state.article.segments[i])) return i;
  return state.focus;
}

function moveTo(position) {
  renderArticle();
  focusSegment(position);
}

// -- glossary terms ------------------------------------------------------------------------

function termTool(s) {
  const box = el("details", { class: "term-tool", id: "term-tool" }, el("summary", {}, "Add to the glossary"));
  const form = el("input", { id: "term-form", "aria-label": "Source form", placeholder: "source words" });
  const lang = el("input", { id: "term-lang", "aria-label": "Language", value: s.src_lang, size: 6,
                             list: "term-langs" });
  const langs = el("datalist", { id: "term-langs" }, [s.src_lang, "latin"].map((v) => el("option", { value: v })));
  const target = el("input", { id: "term-target", "aria-label": "English", placeholder: "English" });
  const type = el("select", { id: "term-type", "aria-label": "Type" },
                  ["person", "title", "body", "document", "place"].map((t) => el("option", { value: t }, t)));
  const mode = el("select", { id: "term-mode", "aria-label": "As" },
                  el("option", { value: "new" }, "a new entry"),
                  el("option", { value: "extends" }, "a form of the entry with this English"));
  const out = el("div", { id: "term-result" });
  const request = () => ({ form: form.value, lang: lang.value, target: target.value, type: type.value,
                           extends: mode.value === "extends" });
  // The result box is looked up when an answer comes: the pane may have been drawn again
  // meanwhile, with the box carried over (termDraft).
  const result = () => document.getElementById("term-result") || out;
  const previewButton = el("button", { type: "button", id: "term-preview", onclick: async () => {
    try { showTermPreview(result(), await api("/api/terms/preview", request())); }
    catch (err) { result().replaceChildren(el("p", { class: "error" }, err.message)); } } }, "Preview");
  const saveButton = el("button", { type: "button", id: "term-save", onclick: async () => {
    result().replaceChildren(el("p", {}, "Saving and translating again…"));
    try { showTermSaved(result(), await api("/api/terms/save", request())); }
    catch (err) { result().replaceChildren(el("p", { class: "error" }, err.message)); } } }, "Save");
  box.append(el("div", { class: "term-fields" },
    el("label", {}, "Source ", form), el("label", {}, "Language ", lang, langs),
    el("label", {}, "English ", target), el("label", {}, "Type ", type), el("label", {}, "As ", mode),
    el("div", {}, previewButton, " ", saveButton)), out);
  return box;
}

function openTermTool() {
  const tool = document.getElementById("term-tool");
  if (!tool) return;
  const picked = String(window.getSelection() || "").trim();
  tool.open = true;
  if (picked) document.getElementById("term-form").value = picked;
  document.getElementById(picked ? "term-target" : "term-form").focus();
}

function segmentList(items, render) {
  return el("ol", { class: "changed" }, items.map((item) => el("li", {},
    el("a", { href: "#/article/" + encodeURIComponent(item.article) }, `${item.article} #${item.index}`),
    ": ", render(item))));
}

function showTermPreview(out, data) {
  out.replaceChildren(
    el("p", { id: "term-count" }, data.outcome === "unchanged" ? "The glossary already says this."
      : `Saving re-translates ${data.count} segment${data.count === 1 ? "" : "s"} of this run`
        + ` (${data.outcome === "added" ? "a new entry" : "a new form"}).`),
    segmentList(data.segments, (item) => el("span", {}, item.src, el("br"), el("em", {}, item.tgt ?? ""))));
}

function showTermSaved(out, data) {
  state.changes.push(data.change);
  out.replaceChildren(
    el("p", { id: "term-count" }, `Saved: ${data.count} segment${data.count === 1 ? "" : "s"} translated again.`),
    segmentList(data.segments, (item) => el("span", { class: "before-after" },
      el("del", {}, item.before ?? ""), el("br"), el("ins", {}, item.after ?? ""))),
    el("button", { type: "button", id: "term-undo", onclick: async () => {
      try {
        const undone = await api("/api/terms/undo", { change: data.change });
        out.replaceChildren(el("p", { id: "term-count" }, `Undone: ${undone.count} segments have their English back.`),
          segmentList(undone.segments, (item) => el("span", { class: "before-after" },
            el("del", {}, item.before ?? ""), el("br"), el("ins", {}, item.after ?? ""))));
        await refreshArticle();
      } catch (err) { toast(err.message, "error"); } } }, "Undo this change"));
  refreshArticle();
}

async function refreshArticle() {
  if (!state.article) return;
  const keep = state.focus;
  const current = state.current;
  const article = await api("/api/article?id=" + encodeURIComponent(state.article.article));
  if (!current()) return;
  state.article = article;
  showRunProgress(article.run);
  state.focus = keep;
  renderArticle();  // the term form keeps its fields and result (see termDraft)
}

// -- concordance ---------------------------------------------------------------------------

async function showSearch(query) {
  const current = state.current;
  document.getElementById("search").value = query;
  const data = await api("/api/search?q=" + encodeURIComponent(query));
  if (!current()) return;
  const renderings = Object.entries(data.renderings);
  fill(main,
    el("h1", {}, "Search: ", query),
    el("p", { id: "search-counts" }, `${data.total} segments: ${data.in_source} in the source, `
       + `${data.in_english} in the English · ${count(data.languages)}`),
    renderings.length ? el("p", {}, "Glossary renderings: ",
      renderings.map(([t, n]) => `${t} ×${n}`).join(", ")) : null,
    el("table", { id: "search-results" },
      el("thead", {}, el("tr", {}, ["Article", "#", "Source", "English", "Status"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, data.segments.map((s) => el("tr", {},
        el("td", {}, el("a", { href: "#/article/" + encodeURIComponent(s.article) }, s.headline || s.article)),
        el("td", {}, s.index),
        el("td", { lang: s.src_lang }, highlighted(s.src, [query])),
        el("td", {}, highlighted(s.tgt || "", [query])),
        el("td", {}, s.status))))),
    data.total > data.segments.length ? el("p", {}, `Showing the first ${data.segments.length}.`) : null);
  window.scrollTo(0, 0);  // results open at their top, not where the last page was scrolled
}

// -- keys ----------------------------------------------------------------------------------

function toggleHelp(show) {
  const help = document.getElementById("help");
  help.hidden = show === undefined ? !help.hidden : !show;
}

document.addEventListener("keydown", (event) => {
  const target = event.target;
  const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName) || target.isContentEditable;
  if (event.key === "Escape") { toggleHelp(false); if (typing) target.blur(); return; }
  if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
  // Enter and Space on a focused button, link or summary press it (Preview, next →).
  if ((event.key === "Enter" || event.key === " ") && target.closest
      && target.closest("a[href], button, summary, label")) return;
  if (event.key === "?") { toggleHelp(); event.preventDefault(); return; }
  if (event.key === "/") { document.getElementById("search").focus(); event.preventDefault(); return; }
  const a = state.article;
  if (!a || !document.getElementById("segments")) return;  // keys act on the article on screen only
  const s = a.segments[state.focus];
  const actions = {
    j: () => focusSegment(nextPosition(() => true)), ArrowDown: () => focusSegment(nextPosition(() => true)),
    k: () => focusSegment(previousPosition()), ArrowUp: () => focusSegment(previousPosition()),
    e: startEdit, Enter: startEdit,
    a: approveAsIs,
    u: withdraw,
    f: () => focusSegment(nextPosition((x) => x.flags.length > 0)),
    n: () => focusSegment(nextPosition((x) => x.reviewable && !x.approved)),
    t: openTermTool,
    l: () => openRelabel(),  // relabel.js
    c: () => saveName(),  // names.js
    r: () => openNameBox(),  // names.js
    "[": () => a.previous && go("/article/" + a.previous),
    "]": () => a.next && go("/article/" + a.next),
  };
  if (actions[event.key] && s !== undefined) { event.preventDefault(); actions[event.key](); }
});

document.getElementById("help-button").addEventListener("click", () => toggleHelp());
document.getElementById("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const q = document.getElementById("search").value.trim();
  if (q) go("/search/" + q);
});
window.addEventListener("hashchange", route);
route();
