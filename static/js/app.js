// Progressive enhancement only: every page works without this file.
document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", () => {
  // The language switcher changes on selection; without JavaScript it has its own button.
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.requestSubmit());
  });
  // Move focus to the error summary so screen reader and keyboard users hear what is wrong.
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
});
