// indiclass console: plain JavaScript, no build step, no network beyond this server.
// - [data-live] elements are replaced by the fragments their server-sent event stream pushes;
// - forms with [data-confirm] ask first;
// - the review queue is keyboard-driven (j/k move, a accept, c correct, o open).
"use strict";

function live(el) {
  const source = new EventSource(el.dataset.live);
  const swap = (event) => { el.innerHTML = event.data; };
  source.addEventListener("rows", swap);
  source.addEventListener("summary", swap);
  source.addEventListener("done", () => { source.close(); location.reload(); });
  source.onerror = () => { if (source.readyState === EventSource.CLOSED) { el.dataset.stream = "closed"; } };
  el.dataset.stream = "open";
}

function confirmForms() {
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  }
}

function reviewKeys(table) {
  const rows = () => Array.from(table.querySelectorAll("tbody tr[data-id]"));
  let at = 0;
  const select = (n) => {
    const all = rows();
    if (!all.length) { return; }
    at = Math.max(0, Math.min(n, all.length - 1));
    all.forEach((r, k) => r.classList.toggle("selected", k === at));
    all[at].focus({ preventScroll: false });
  };
  document.addEventListener("keydown", (event) => {
    if (event.target.matches("input, select, textarea")) {
      if (event.key === "Escape") { event.target.blur(); select(at); }
      return;
    }
    const row = rows()[at];
    if (event.key === "j") { select(at + 1); }
    else if (event.key === "k") { select(at - 1); }
    else if (event.key === "a" && row) { row.querySelector("form.accept").requestSubmit(); }
    else if (event.key === "c" && row) { event.preventDefault(); row.querySelector("[data-correct]").focus(); }
    else if (event.key === "o" && row) { row.querySelector("[data-open]").click(); }
    else { return; }
    event.preventDefault();
  });
  select(0);
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-live]").forEach(live);
  confirmForms();
  const review = document.querySelector("table[data-keys=review]");
  if (review) { reviewKeys(review); }
});
