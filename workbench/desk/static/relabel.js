// Relabelling a line from the keyboard: `l` on the focused segment opens a kind picker, a digit
// picks. The fix is saved as a site rule (labels/<site>.toml, through the same validated path
// as `workbench labels add`); the run's records stay as they are, and the page shows what the
// next `workbench translate` will do: every line of this run it relabels, and a chip on each.
// Loaded after desk.js, whose helpers (state, el, api, toast, refreshArticle) it uses.
"use strict";

const RELABEL_KINDS = ["body", "title", "caption", "credit", "byline", "dateline", "source", "boilerplate"];
const TRANSLATED = new Set(["body", "title", "caption"]);

function openRelabel() {
  const a = state.article;
  if (!a || state.progress.read_only) { if (a) toast("This desk is read-only."); return; }
  const s = a.segments[state.focus];
  const details = document.getElementById("details");
  if (!s || !details) return;
  closeRelabel();
  const rules = a.site_rules || {};
  if (!rules.folder) { toast("This run has no site rules folder: translate inside a project to relabel lines.", "error"); return; }
  if (!rules.site) { toast("This article has no known site (no source URL): no site rule can apply to it.", "error"); return; }
  const picker = el("section", { id: "relabel", role: "dialog", "aria-label": "Relabel this line" },
    el("h3", {}, `Line ${s.line} is ${s.relabel ? s.relabel + " (next run)" : s.kind}. On every page of ${rules.site} it is:`),
    el("ol", {}, RELABEL_KINDS.map((kind, i) => el("li", {},
      el("button", { type: "button", "data-kind": kind, disabled: kind === (s.relabel || s.kind),
                     onclick: () => relabel(kind) },
         `${i + 1} ${kind}${TRANSLATED.has(kind) ? "" : " (kept)"}`)))),
    el("p", { class: "hint" }, "Press 1–8 to choose, Esc to cancel. Saved as a site rule in "
       + `labels/${rules.site}.toml; the next workbench translate applies it to every article of the site.`));
  details.prepend(picker);
  picker.scrollIntoView({ block: "nearest" });
}

function closeRelabel() {
  const picker = document.getElementById("relabel");
  if (picker) picker.remove();
}

async function relabel(kind) {
  const a = state.article;
  const s = a.segments[state.focus];
  closeRelabel();
  try {
    const done = await api("/api/labels/relabel", { article: a.article, index: s.index, kind });
    toast(`Site rule saved: "${short(done.line)}" is ${kind} on ${done.site}. The next workbench translate `
          + `relabels ${done.count} line${done.count === 1 ? "" : "s"} in ${done.articles} article${done.articles === 1 ? "" : "s"} of this run.`);
    await refreshArticle();
    showRelabelled(done);
  } catch (err) {
    toast(err.message, "error");
  }
}

function short(text) {
  return text.length > 60 ? text.slice(0, 60) + "…" : text;
}

function showRelabelled(done) {
  const details = document.getElementById("details");
  if (!details) return;
  details.prepend(el("section", { id: "relabelled" },
    el("h3", {}, `Saved in ${done.file}`),
    el("p", { id: "relabel-count" }, `The next workbench translate labels this line ${done.kind} on every page of `
       + `${done.site}: ${done.count} line${done.count === 1 ? "" : "s"} of this run in ${done.articles} `
       + `article${done.articles === 1 ? "" : "s"} change, and only lines that become body, title or caption are translated. `
       + "The records here change with that run."),
    done.notes.map((note) => el("p", { class: "hint" }, note)),
    el("ol", { class: "changed" }, done.changes.map((c) => el("li", {},
      el("a", { href: "#/article/" + encodeURIComponent(c.article) }, `${c.article} line ${c.line}`),
      `: ${c.old} → ${c.new ?? "as the labeller says"}: `, short(c.text))))));
}

document.addEventListener("keydown", (event) => {
  if (!document.getElementById("relabel")) return;
  const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(event.target.tagName);
  if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
  const n = Number(event.key);
  if (Number.isInteger(n) && n >= 1 && n <= RELABEL_KINDS.length) {
    event.preventDefault();
    event.stopImmediatePropagation();
    const button = document.querySelector(`#relabel button[data-kind="${RELABEL_KINDS[n - 1]}"]`);
    if (button && !button.disabled) relabel(RELABEL_KINDS[n - 1]);
  } else if (event.key === "Escape") {
    event.preventDefault();
    event.stopImmediatePropagation();
    closeRelabel();
  }
}, true);
