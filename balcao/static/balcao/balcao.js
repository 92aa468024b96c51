/* Page behaviours, declared in the markup with data- attributes instead of inline code:
   the Content-Security-Policy allows scripts from our static files only (no inline
   scripts, no hx-on, no eval). Loaded with defer after htmx, on every page. */
(function () {
  "use strict";

  /* <form data-reset-after-request>: empty the form once htmx's request succeeded
     (the chatbot's question box); on a failed request what was typed stays. */
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.matches && form.matches("form[data-reset-after-request]")
        && event.detail.successful) {
      form.reset();
    }
  });

  /* <… data-focus-after-swap="ID">: after htmx swapped content in for this element, move
     the focus to #ID when it is there (the triage result's heading), so that screen
     readers announce the result. */
  document.addEventListener("htmx:afterSwap", function (event) {
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    var owner = source && source.closest ? source.closest("[data-focus-after-swap]") : null;
    if (!owner) {
      return;
    }
    var target = document.getElementById(owner.getAttribute("data-focus-after-swap"));
    if (target) {
      target.focus();
    }
  });
}());
