/*
 * Balcão's live chat button for any website (issue 24; seed 004, fig. 07).
 *
 *   <script src="https://atendimento.example.gov/static/balcao/chat-widget.js"
 *           data-label="Chat de atendimento" defer></script>
 *
 * It puts a floating button on the page that opens the portal's "Novo Atendimento" page
 * (/atendimento/chat/) in a new window. On the portal's own pages (same origin) it also
 * shows the unread badge, from /atendimento/chat/nao-lidas/ (the person's conversations with
 * unread messages, once their e-mail is proven); on other sites that request would need
 * CORS with credentials, which the portal does not grant, so there the badge stays hidden.
 * It reads nothing from the page it sits on. Styles are set through the CSSOM (no inline
 * style attribute or <style>, so a strict CSP is enough).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) {
    return;
  }
  var origin = new URL(script.src).origin;
  var target = new URL("/atendimento/chat/", origin);
  var label = script.dataset.label || "Chat de atendimento";

  var link = document.createElement("a");
  link.href = target.toString();
  link.target = "_blank";
  link.rel = "noopener";
  link.className = "balcao-chat-widget";
  link.setAttribute("aria-label", label);
  link.textContent = "💬 " + label;
  var s = link.style;
  s.position = "fixed";
  s.right = "1rem";
  s.bottom = "1rem";
  s.zIndex = "9999";
  s.padding = ".75rem 1rem";
  s.borderRadius = "2rem";
  s.background = script.dataset.color || "#1351b4";
  s.color = "#fff";
  s.fontWeight = "600";
  s.textDecoration = "none";
  s.boxShadow = "0 2px 6px rgba(0,0,0,.3)";

  var badge = document.createElement("span");
  badge.className = "balcao-chat-badge";
  badge.hidden = true;
  var b = badge.style;
  b.marginLeft = ".5rem";
  b.background = "#b00020";
  b.color = "#fff";
  b.borderRadius = "1rem";
  b.padding = "0 .5rem";
  link.append(badge);

  function refreshBadge() {
    if (window.location.origin !== origin || !window.fetch) {
      return;
    }
    fetch(new URL("/atendimento/chat/nao-lidas/", origin).toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (response) { return response.ok ? response.json() : { unread: 0 }; })
      .then(function (data) {
        var n = data.unread || 0;
        badge.hidden = !n;
        badge.textContent = n ? String(n) : "";
        link.setAttribute("aria-label", n ? label + " (" + n + ")" : label);
      })
      .catch(function () {});
  }

  document.body.append(link);
  refreshBadge();
  setInterval(refreshBadge, 60000);
})();
