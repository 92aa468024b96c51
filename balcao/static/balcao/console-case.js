/* The console's case page (console/case_detail.html), declared with data- attributes:
   the Content-Security-Policy allows scripts from our static files only.

   - <button data-insert-text="…" data-insert-into="ID" data-insert-status="ID" hidden>:
     shown once this script runs (without it the text stays there to copy); a click adds
     the text to the end of the textarea #ID (a blank line after what is already typed),
     puts the focus there and says so in the status region #ID. The reply's picker is
     loaded when opened (htmx): its buttons are set up when they arrive.
   - <select data-reason-field="ID">: when the chosen option carries data-requires-reason,
     the justification #ID becomes required and its "(obrigatório)" mark
     (#ID_required) shows.
   - <input type="checkbox" data-checked-when-filled="ID">: ticked while #ID has text (the
     e-mail to send the acknowledgement to), until the person ticks or unticks it. */
(function () {
  "use strict";

  function insert(button) {
    var target = document.getElementById(button.getAttribute("data-insert-into"));
    if (!target) {
      return;
    }
    var text = button.getAttribute("data-insert-text") || "";
    var current = target.value.replace(/\s+$/, "");
    target.value = current ? current + "\n\n" + text : text;
    target.focus();
    target.setSelectionRange(target.value.length, target.value.length);
    var status = document.getElementById(button.getAttribute("data-insert-status"));
    if (status) {
      status.textContent = button.getAttribute("data-inserted-label") || "";
    }
  }

  function syncReason(select) {
    var field = document.getElementById(select.getAttribute("data-reason-field"));
    if (!field) {
      return;
    }
    var option = select.options[select.selectedIndex];
    var needed = Boolean(option && option.hasAttribute("data-requires-reason"));
    var mark = document.getElementById(field.id + "_required");
    if (mark) {
      field.required = needed;
      mark.hidden = !needed;
    }
  }

  function follow(box) {
    var field = document.getElementById(box.getAttribute("data-checked-when-filled"));
    if (!field) {
      return;
    }
    var touched = false;
    function sync() {
      if (!touched) {
        box.checked = field.value.trim() !== "";
      }
    }
    box.addEventListener("change", function () { touched = true; });
    field.addEventListener("input", sync);
    if (field.value.trim() === "") {
      box.checked = false;
    } else if (!box.checked) {
      touched = true; /* a form sent back with the box unticked keeps it so */
    }
  }

  function showInsertButtons(root) {
    root.querySelectorAll("button[data-insert-text][hidden]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { insert(button); });
    });
  }

  function start() {
    document.querySelectorAll("input[data-checked-when-filled]").forEach(follow);
    showInsertButtons(document);
    document.body.addEventListener("htmx:afterSwap", function (event) {
      showInsertButtons(event.detail.target);
    });
    document.querySelectorAll("select[data-reason-field]").forEach(function (select) {
      syncReason(select);
      select.addEventListener("change", function () { syncReason(select); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
