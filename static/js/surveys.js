// Surveys, progressive enhancement only: every page works without this file and the server
// decides what is shown and saved. Here: live conditional display, the language switch on
// selection, and a warning before leaving a page with unsaved answers.
(function () {
  "use strict";

  function valuesOf(form, name) {
    return Array.from(form.elements)
      .filter((el) => el.name === name && (!(el.type === "radio" || el.type === "checkbox") || el.checked))
      .map((el) => el.value.trim())
      .filter((value) => value !== "");
  }

  function toNumber(text) {
    let cleaned = text.replace(/\s/g, "");
    cleaned = cleaned.includes(",") && cleaned.includes(".") ? cleaned.replace(/\./g, "").replace(",", ".") : cleaned.replace(",", ".");
    const number = Number(cleaned);
    return Number.isFinite(number) ? number : null;
  }

  function holds(form, condition) {
    const container = document.getElementById("question-" + condition.field.slice(1));
    if (container && container.hidden) return false;
    const values = valuesOf(form, condition.field);
    if (!values.length) return false;
    if (condition.op === "answered") return true;
    if (condition.op === "any_of") return values.some((value) => condition.values.includes(value));
    const number = toNumber(values[0]);
    if (number === null || condition.number === null) return false;
    return condition.op === "gte" ? number >= condition.number : number <= condition.number;
  }

  function applyConditions(form, conditions) {
    // Chains (a question depending on one that depends on another) settle in a few passes.
    for (let pass = 0; pass < 5; pass += 1) {
      let changed = false;
      Object.entries(conditions).forEach(([id, condition]) => {
        const element = document.getElementById(id);
        if (!element || !condition) return;
        const hide = !holds(form, condition);
        if (element.hidden !== hide) {
          element.hidden = hide;
          changed = true;
        }
      });
      if (!changed) return;
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.querySelector("form[data-sv-form]");
    if (!form) return;
    const marker = form.querySelector("[data-sv-js]");
    if (marker) marker.value = "1";

    let conditions = {};
    try {
      conditions = JSON.parse(form.dataset.conditions || "{}");
    } catch (error) {
      conditions = {};
    }
    applyConditions(form, conditions);
    form.addEventListener("change", () => applyConditions(form, conditions));
    form.addEventListener("input", () => applyConditions(form, conditions));

    const language = form.querySelector("select[data-sv-language]");
    if (language) {
      language.addEventListener("change", () => {
        const button = form.querySelector("button[name=action][value=language]");
        if (button) form.requestSubmit(button);
      });
    }

    // Leaving the page through a link (not a button of this form) would lose what was typed.
    let dirty = false;
    let submitting = false;
    form.addEventListener("input", () => { dirty = true; });
    form.addEventListener("change", () => { dirty = true; });
    form.addEventListener("submit", () => { submitting = true; });
    window.addEventListener("beforeunload", (event) => {
      if (dirty && !submitting && form.method.toLowerCase() === "post") {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  });
})();
