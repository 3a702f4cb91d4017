// Automatic names: unseen Vietnamese names the run protected in the English, flagged
// name:unconfirmed. On the focused segment, `c` accepts its name into the glossary with every
// form the run has of it; `r` opens a box to correct its English first (Enter saves, Esc
// cancels). Both go through the desk's term save (the same validated path as `workbench
// glossary add`): the segments it changes are translated again at once, and the next
// `workbench translate` finds the name curated.
// Loaded after desk.js, whose helpers (state, el, api, toast, refreshArticle) it uses.
"use strict";

function focusedAutoName() {
  const a = state.article;
  const s = a && a.segments[state.focus];
  return (s && s.glossary.find((g) => g.auto)) || null;
}

async function saveName(target) {
  if (state.progress.read_only) { toast("This desk is read-only."); return; }
  const hit = focusedAutoName();
  if (!hit) { toast("This segment has no automatic name."); return; }
  closeNameBox();
  const corrected = target !== undefined;
  toast(`Saving ${corrected ? target : hit.entry} and translating again…`);
  try {
    const done = await api(corrected ? "/api/names/correct" : "/api/names/accept",
                           corrected ? { english: hit.entry, target } : { english: hit.entry });
    state.changes.push(done.change);
    const forms = Object.entries(done.forms).map(([lang, f]) => `${lang}: ${f.join(", ")}`).join("; ");
    toast(`In the glossary: ${done.target} (${done.type}; ${forms}). ${done.count} segment`
          + `${done.count === 1 ? "" : "s"} translated again; the next workbench translate finds it curated.`);
    await refreshArticle();
  } catch (err) {
    toast(err.message, "error");
  }
}

function openNameBox() {
  const hit = focusedAutoName();
  const details = document.getElementById("details");
  if (!details) return;
  if (state.progress.read_only) { toast("This desk is read-only."); return; }
  if (!hit) { toast("This segment has no automatic name."); return; }
  closeNameBox();
  const input = el("input", { id: "name-target", "aria-label": "The name's English", value: hit.entry, size: 30 });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); saveName(input.value); }
    else if (event.key === "Escape") { event.preventDefault(); event.stopPropagation(); closeNameBox(); }
  });
  const box = el("section", { id: "name-box", role: "dialog", "aria-label": "Correct the name's English" },
    el("h3", {}, `Automatic name: ${hit.form} → ${hit.entry}`),
    el("label", {}, "English ", input),
    el("p", { class: "hint" }, "Enter saves it to the glossary with every form of the run; Esc cancels."));
  details.prepend(box);
  input.focus();
  input.select();
}

function closeNameBox() {
  const box = document.getElementById("name-box");
  if (box) box.remove();
}
