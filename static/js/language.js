// The projector is in the language the facilitator gives it from the console
// (workshop/languages.py): its status piece says which language it was rendered in, and a page
// in another one loads itself again in it, all of it, <html lang> included.
(() => {
  "use strict";

  document.addEventListener("htmx:after:swap", () => {
    const rendered = document.querySelector("[data-rendered-language]")?.dataset.renderedLanguage;
    if (rendered && rendered !== document.documentElement.lang) window.location.reload();
  });
})();
