// Progressive enhancement only: every page works without this file.
document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", () => {
  // On phones the main navigation folds behind a "Menu" button; wider screens always show it.
  const navToggle = document.querySelector(".nav-toggle");
  const navList = navToggle && document.getElementById(navToggle.getAttribute("aria-controls"));
  if (navList) {
    const phone = window.matchMedia("(max-width: 47.99rem)");
    const applyNav = () => {
      navToggle.hidden = !phone.matches;
      navList.hidden = phone.matches && navToggle.getAttribute("aria-expanded") !== "true";
    };
    navToggle.setAttribute("aria-expanded", "false");
    navToggle.addEventListener("click", () => {
      navToggle.setAttribute("aria-expanded", String(navToggle.getAttribute("aria-expanded") !== "true"));
      applyNav();
    });
    phone.addEventListener("change", applyNav);
    applyNav();
  }

  // The language switcher changes on selection; without JavaScript it has its own button.
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.requestSubmit());
  });

  // Move focus to the error summary so screen reader and keyboard users hear what is wrong.
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  // A link in the error summary puts the cursor into the field and shows its label and message.
  document.querySelectorAll(".error-summary a[href^='#']").forEach((link) => {
    link.addEventListener("click", (event) => {
      const target = document.getElementById(link.hash.slice(1));
      if (!target) return;
      event.preventDefault();
      const box = target.closest(".field") || target;
      box.scrollIntoView({ block: "start" });
      target.focus({ preventScroll: true });
    });
  });

  // A table wider than the screen scrolls sideways: keyboard users must be able to reach and
  // scroll it, and screen readers hear what the scrolling region holds.
  const markScrollableTables = () => {
    document.querySelectorAll(".table-wrap").forEach((wrap) => {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        const caption = wrap.querySelector("caption");
        let heading = wrap.previousElementSibling;
        while (heading && !/^H[1-6]$/.test(heading.tagName)) heading = heading.previousElementSibling;
        wrap.tabIndex = 0;
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", (caption || heading || document.querySelector("h1")).textContent.trim());
      } else if (wrap.getAttribute("role") === "region") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  };
  markScrollableTables();
  window.addEventListener("resize", markScrollableTables);

  // Buttons with lasting effects ask once more; without JavaScript they simply send.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});
