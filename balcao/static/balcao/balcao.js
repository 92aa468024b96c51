/* Page behaviours, declared in the markup with data- attributes instead of inline code:
   the Content-Security-Policy allows scripts from our static files only (no inline
   scripts, no hx-on, no eval). Loaded with defer after htmx, on every page. */
(function () {
  "use strict";

  /* <form data-reset-after-request>: empty the form once htmx's request succeeded
     (the chatbot's question box); on a failed request what was typed stays, and so does
     what was typed while the answer travelled (the next question is the person's). */
  function values(form) {
    return Array.prototype.map.call(form.elements, function (field) {
      return field.value;
    }).join("\u0000");
  }

  function resetsAfterRequest(form) {
    return form && form.matches && form.matches("form[data-reset-after-request]");
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (resetsAfterRequest(form)) {
      form.dataset.sentValues = values(form);
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (resetsAfterRequest(form) && event.detail.successful
        && form.dataset.sentValues === values(form)) {
      form.reset();
    }
  });

  /* <div data-focus-after-swap="ID">: when htmx swaps new content into this element (the
     triage result, also an aria-live region), move the focus to #ID and bring it on screen,
     so that screen readers announce the result and a phone shows it above the fold.
     htmx:afterSwap is dispatched on the element swapped into (event.detail.target), not on
     the form that made the request. */
  document.addEventListener("htmx:afterSwap", function (event) {
    var swapped = event.detail && event.detail.target;
    if (!swapped || !swapped.matches || !swapped.matches("[data-focus-after-swap]")) {
      return;
    }
    var heading = document.getElementById(swapped.getAttribute("data-focus-after-swap"));
    if (heading) {
      heading.focus({ preventScroll: true });
      heading.scrollIntoView({ block: "start" });
    }
  });
}());
