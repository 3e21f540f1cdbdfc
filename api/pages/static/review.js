// In-place reviewing, the compare picker, suggested CPV codes added with a click, and focus on
// what a page answered with. The pages work without this script: the review form posts and comes
// back, the compare form submits, suggested codes are a list to copy; this saves the round trip.
"use strict";

(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
  const announcer = document.getElementById("announcer");

  function announce(text) {
    if (announcer) { announcer.textContent = ""; announcer.textContent = text; }
  }

  function updateUnreviewed() {
    const pill = document.getElementById("unreviewed-count");
    if (!pill) return;
    const rows = document.querySelectorAll(".shortlist .match");
    const open = document.querySelectorAll('.shortlist .match[data-decided="no"]').length;
    pill.textContent = pill.dataset.template.replace("{n}", open).replace("{k}", rows.length);
    pill.classList.toggle("done", open === 0);
  }

  function addHistoryRow(saved) {
    const body = document.getElementById("history");
    if (!body) return;
    const row = document.createElement("tr");
    for (const value of [saved.created_at, saved.reviewer, saved.company, saved.label, saved.reason]) {
      const cell = document.createElement("td");
      cell.textContent = value;
      row.appendChild(cell);
    }
    body.prepend(row);
    const empty = document.getElementById("history-empty");
    if (empty) empty.hidden = true;
  }

  async function submitReview(event) {
    const form = event.target;
    if (!form.matches("form.review")) return;
    event.preventDefault();
    const button = event.submitter;
    const data = new FormData(form);
    if (button && button.name) data.set(button.name, button.value);
    const message = form.querySelector(".review-message");
    const buttons = form.querySelectorAll("button");
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(data),
        headers: { Accept: "application/json", "X-CSRF-Token": csrf },
        credentials: "same-origin",
      });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        const detail = body.detail || response.statusText;
        message.textContent = (form.dataset.failed || "Not saved: {detail}").replace("{detail}", detail);
        message.classList.add("error");
        announce(message.textContent);
        return;
      }
      const card = form.closest(".match");
      const badge = card.querySelector('[data-testid="decision"]');
      badge.textContent = body.label;
      badge.className = "decision decision-" + body.decision;
      card.dataset.decided = "yes";
      message.classList.remove("error");
      message.textContent = body.message;
      announce(body.message);  // the reason and note stay: they are what was just saved
      addHistoryRow(body);
      updateUnreviewed();
    } catch (error) {
      message.textContent = String(error);
      message.classList.add("error");
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  function syncCompare() {
    const button = document.getElementById("compare-button");
    if (!button) return;
    const picked = document.querySelectorAll('input[form="compare-form"]:checked').length;
    button.disabled = picked !== 2;
  }

  // A suggested code's chip adds the code to the CPV field (once), then says so.
  function addCode(event) {
    const chip = event.target.closest("button[data-cpv]");
    if (!chip) return;
    const field = document.getElementById(chip.dataset.target);
    if (!field) return;
    const codes = field.value.split(/[\s,;]+/).filter(Boolean);
    if (!codes.includes(chip.dataset.cpv)) codes.push(chip.dataset.cpv);
    field.value = codes.join(", ");
    chip.setAttribute("aria-pressed", "true");
    announce(chip.dataset.added || chip.dataset.cpv);
  }

  // What a page answered with (a failed form's message, a preview) takes the focus, so a
  // keyboard or screen reader user starts there; `autofocus` does it where the browser can.
  function focusAnswer() {
    const target = document.querySelector("[data-focus]") || document.getElementById("form-error");
    if (!target || document.activeElement === target) return;
    if (!target.hasAttribute("tabindex")) target.tabIndex = -1;
    target.focus();
  }

  function ready() {
    syncCompare();
    focusAnswer();
    document.querySelectorAll("[data-cpv-chips]").forEach((list) => { list.hidden = false; });
  }

  document.addEventListener("submit", submitReview);
  document.addEventListener("click", addCode);
  document.addEventListener("change", (event) => {
    if (event.target.matches('input[form="compare-form"]')) syncCompare();
  });
  document.addEventListener("DOMContentLoaded", ready);
})();
