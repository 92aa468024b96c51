/*
 * Balcão's click-to-call button for any website (seed 003: "click-to-call" a partir do site).
 *
 *   <script src="https://atendimento.example.gov/static/balcao/click-to-call.js"
 *           data-line="geral" data-label="Ligamos para você" defer></script>
 *
 * It puts, where the tag is, a link that opens the portal's "Ligamos para você" page (number,
 * consent, whether the line is open) in a new window. It sends nothing by itself and reads
 * nothing from the page it sits on.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) {
    return;
  }
  var origin = new URL(script.src).origin;
  var target = new URL("/telefone/ligamos-para-voce/", origin);
  if (script.dataset.line) {
    target.searchParams.set("linha", script.dataset.line);
  }
  var link = document.createElement("a");
  link.href = target.toString();
  link.target = "_blank";
  link.rel = "noopener";
  link.className = "balcao-click-to-call";
  link.textContent = script.dataset.label || "Ligamos para você";
  script.insertAdjacentElement("afterend", link);
})();
