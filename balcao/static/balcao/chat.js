/*
 * The person's live chat (issue 24; seed 004, IPM Atende.Net figs. 04–10), on the
 * conversation page (#chat, its endpoints and words in data- attributes; no inline code).
 *
 * It joins ws(s)://<host>/ws/chat/<token>/ (balcao.livechat.consumers.PersonConsumer):
 * a "snapshot" on connect, then "message", "typing", "read", "position", "accepted",
 * "transferred", "concluded", "closed" and "error" events. It sends {"type": "typing"} while
 * the person writes and {"type": "read"} when the page is visible. Messages with files go
 * by POST to the page's send endpoint (JSON); a refusal (a message too long, too many in a
 * minute: HTTP 429) is shown and what was typed stays in the box. While the person waits, the
 * bot's answers arrive as messages from "bot", shown apart and signed by data-label-bot.
 * When the socket is down it reconnects with
 * backoff and meanwhile reloads the messages from the JSON endpoint every 5 minutes
 * (seed 004: the page refreshes every 5 minutes).
 */
(function () {
  "use strict";
  var root = document.getElementById("chat");
  if (!root) {
    return;
  }
  var d = root.dataset;
  var list = root.querySelector("[data-chat-messages]");
  var form = root.querySelector("[data-chat-form]");
  var errorBox = root.querySelector("[data-chat-error]");
  var typingBox = root.querySelector("[data-chat-typing]");
  var queueBox = root.querySelector("[data-chat-queue]");
  var stateBox = root.querySelector("[data-chat-state]");
  var connectionBox = root.querySelector("[data-chat-connection]");
  var drop = root.querySelector("[data-chat-drop]");
  var socket = null;
  var attempts = 0;
  var fallbackTimer = null;
  var typingTimer = null;
  var lastTypingSent = 0;
  var FALLBACK_MS = 5 * 60 * 1000;

  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function fileUrl(id) {
    return d.fileUrl.replace(/0\/$/, String(id) + "/");
  }

  function authorLabel(message) {
    if (message.author === "requester") {
      return d.labelPerson;
    }
    if (message.author === "agent") {
      return message.author_name || d.labelAgent;
    }
    if (message.author === "bot") {
      return d.labelBot;
    }
    return d.labelSystem;
  }

  function render(message) {
    if (list.querySelector('[data-id="' + message.id + '"]')) {
      return;
    }
    var item = document.createElement("li");
    item.className = "chat-message chat-from-" + message.author;
    item.dataset.id = message.id;
    var author = document.createElement("span");
    author.className = "chat-author";
    author.textContent = authorLabel(message);
    var time = document.createElement("time");
    time.setAttribute("datetime", message.at);
    var text = document.createElement("p");
    text.className = "chat-text";
    text.textContent = message.text;
    item.append(author, time, text);
    if (message.files && message.files.length) {
      var files = document.createElement("ul");
      files.className = "chat-files";
      message.files.forEach(function (file) {
        var li = document.createElement("li");
        var link = document.createElement("a");
        link.href = file.url || fileUrl(file.id);
        link.setAttribute("download", "");
        link.textContent = "⬇ " + file.name;
        link.title = d.labelDownload;
        li.append(link);
        files.append(li);
      });
      item.append(files);
    }
    list.append(item);
    item.scrollIntoView({ block: "nearest" });
  }

  function showPosition(position, seconds) {
    if (!queueBox) {
      return;
    }
    if (!position) {
      queueBox.hidden = true;
      return;
    }
    queueBox.hidden = false;
    queueBox.textContent = d.labelWaiting
      .replace("%(position)s", position)
      .replace("%(minutes)s", Math.max(1, Math.round(seconds / 60)));
  }

  function markRead() {
    if (document.visibilityState !== "visible") {
      return;
    }
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ type: "read" }));
    } else if (d.readUrl) {
      fetch(d.readUrl, { method: "POST", headers: { "X-CSRFToken": csrf() }, credentials: "same-origin" });
    }
  }

  function applySnapshot(data) {
    (data.messages || []).forEach(render);
    showPosition(data.position, data.estimated_wait_seconds);
    if (stateBox && data.case_state) {
      stateBox.textContent = data.case_state;
    }
    if (data.unread) {
      markRead();
    }
  }

  function onEvent(data) {
    switch (data.event) {
      case "snapshot":
        applySnapshot(data);
        break;
      case "message":
        typingBox.hidden = true;
        render(data.message);
        if (data.message.author !== "requester") {
          markRead();
        }
        break;
      case "typing":
        typingBox.hidden = false;
        clearTimeout(typingTimer);
        typingTimer = setTimeout(function () { typingBox.hidden = true; }, 4000);
        break;
      case "position":
        showPosition(data.position, data.estimated_wait_seconds);
        break;
      case "accepted":
      case "transferred":
      case "concluded":
      case "closed":
        window.location.reload();
        break;
      case "error":
        if (errorBox) {
          errorBox.textContent = data.message;
        }
        break;
    }
  }

  function reloadMessages() {
    fetch(d.messagesUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) {
          return;
        }
        applySnapshot(data);
        if (data.state && (data.state === "concluded" || data.state === "closed") && d.live === "1") {
          window.location.reload();
        }
      })
      .catch(function () {});
  }

  function startFallback() {
    if (connectionBox) {
      connectionBox.hidden = false;
      connectionBox.textContent = d.labelOffline;
    }
    if (!fallbackTimer) {
      fallbackTimer = setInterval(reloadMessages, FALLBACK_MS);
    }
  }

  function stopFallback() {
    if (connectionBox) {
      connectionBox.hidden = true;
    }
    clearInterval(fallbackTimer);
    fallbackTimer = null;
  }

  function connect() {
    if (!("WebSocket" in window)) {
      startFallback();
      return;
    }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + d.wsPath);
    socket.addEventListener("open", function () {
      attempts = 0;
      root.dataset.connected = "1";
      stopFallback();
    });
    socket.addEventListener("message", function (event) {
      try {
        onEvent(JSON.parse(event.data));
      } catch (e) {
        /* an unreadable event is ignored */
      }
    });
    socket.addEventListener("close", function (event) {
      socket = null;
      root.dataset.connected = "0";
      startFallback();
      if (event.code === 4403) {
        return; /* the proof expired: the fallback's reload will say so */
      }
      attempts += 1;
      var delay = Math.min(60000, 1000 * Math.pow(2, attempts)) * (0.5 + Math.random() / 2);
      setTimeout(connect, delay);
    });
  }

  function sendTyping() {
    var now = Date.now();
    if (socket && socket.readyState === WebSocket.OPEN && now - lastTypingSent > 2000) {
      lastTypingSent = now;
      socket.send(JSON.stringify({ type: "typing" }));
    }
  }

  /* After a message is accepted: the file picker is emptied, and the text box only when it
   * still holds what was sent — the person may already be typing the next message while
   * the answer travels, and that text is theirs (form.reset() here once erased it). */
  function clearSent(typed) {
    var picker = form.querySelector("input[type=file]");
    if (picker) {
      picker.value = "";
    }
    var box = form.querySelector("textarea");
    if (typed !== null && box && box.value === typed) {
      box.value = "";
    }
  }

  function send(formData, typed) {
    if (errorBox) {
      errorBox.textContent = d.labelSending;
    }
    return fetch(d.sendUrl, {
      method: "POST",
      body: formData,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrf() }
    })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (errorBox) {
          errorBox.textContent = data.ok ? "" : data.error;
        }
        if (data.ok) {
          render(data.message);
          clearSent(typed);
          if (!socket || socket.readyState !== WebSocket.OPEN) {
            reloadMessages(); /* the bot's answer, when there is one, without the socket */
          }
        }
        return data.ok;
      })
      .catch(function () {
        if (errorBox) {
          errorBox.textContent = d.labelOffline;
        }
      });
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(form);
      send(data, data.get("text"));
    });
    var textarea = form.querySelector("textarea");
    textarea.addEventListener("input", sendTyping);
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
  }

  if (drop && form) {
    ["dragenter", "dragover"].forEach(function (name) {
      drop.addEventListener(name, function (event) {
        event.preventDefault();
        drop.classList.add("chat-drop-active");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      drop.addEventListener(name, function () {
        drop.classList.remove("chat-drop-active");
      });
    });
    drop.addEventListener("drop", function (event) {
      event.preventDefault();
      var dropped = event.dataTransfer && event.dataTransfer.files;
      if (!dropped || !dropped.length) {
        return;
      }
      var data = new FormData();
      data.append("text", "");
      Array.prototype.forEach.call(dropped, function (file) { data.append("files", file); });
      send(data, null);
    });
  }

  document.addEventListener("visibilitychange", markRead);
  markRead();
  if (d.live === "1") {
    connect();
  }
})();
