// The project's own behaviour, kept out of the HTML so the Content-Security-Policy can forbid inline script.
"use strict";

// A <select data-submit-on-change> sends its form as soon as a choice is made (the language switcher);
// without JavaScript the form's own button does it.
document.addEventListener("change", function (event) {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-submit-on-change") && field.form) {
    field.form.requestSubmit();
  }
});
