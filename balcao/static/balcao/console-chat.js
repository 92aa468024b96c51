/* The agent's chat desk (console/chat/desk.html), made live (issue 24). The page works
   without this script (every action is a form); with it:

   - it joins ws(s)://<this host>/ws/console/chat/ (the path in #chat-desk[data-ws-path]),
     reconnecting with a growing wait (1 s, 2 s, 4 s … up to 30 s) when the socket drops,
     and says so in #chat-socket-status;
   - a message or an internal note of the open conversation (data-selected) is added to
     #chat-thread (read again from the page after a reconnection, for what was said while
     the socket was down); one of another conversation marks its tab unread;
   - the queue and the list of conversations (#chat-lists) are fetched again
     (data-lists-url) when the queue changes, on each reconnection and, while the socket is
     down, every 30 s;
   - #chat-message-form is sent with fetch (text and files); a refused file or an empty
     message is shown in #chat-send-error; the typing indicator is sent while typing and the
     person's shown in #chat-typing; what arrives in the open conversation is marked read.

   The bot's answers to the person while they waited (issue 24) are in the thread as messages
   from "bot", signed "Assistente virtual"; a presence event (an agent's console opened or
   closed) refreshes the lists.

   Texts come from data-label-* attributes (pt-BR from the template); message text is
   inserted as text, never as HTML. The Content-Security-Policy allows only our scripts. */
(function () {
  "use strict";

  var MAX_BACKOFF = 30000;
  var POLL_WHEN_DOWN = 30000;
  var TYPING_EVERY = 3000;
  var TYPING_SHOWN = 4000;

  function start() {
    var desk = document.getElementById("chat-desk");
    if (!desk || !window.WebSocket) {
      return;
    }
    var selected = parseInt(desk.getAttribute("data-selected") || "0", 10) || 0;
    var statusBox = document.getElementById("chat-socket-status");
    var thread = document.getElementById("chat-thread");
    var typingBox = document.getElementById("chat-typing");
    var socket = null;
    var backoff = 1000;
    var pollTimer = null;
    var typingTimer = null;
    var lastTypingSent = 0;
    var shown = {};
    var dropped = false;

    function label(name) {
      return desk.getAttribute("data-label-" + name) || "";
    }

    function say(text) {
      if (statusBox) {
        statusBox.textContent = text;
      }
    }

    function send(payload) {
      if (socket && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify(payload));
        return true;
      }
      return false;
    }

    function refreshLists() {
      var url = desk.getAttribute("data-lists-url");
      var lists = document.getElementById("chat-lists");
      if (!url || !lists) {
        return;
      }
      fetch(url + (selected ? "?conversa=" + selected : ""), {
        credentials: "same-origin",
        headers: { "Accept": "text/html" }
      }).then(function (response) {
        return response.ok ? response.text() : null;
      }).then(function (html) {
        if (html === null) {
          return;
        }
        var holder = document.createElement("div");
        holder.innerHTML = html; /* our own server-rendered fragment */
        var fresh = holder.querySelector("#chat-lists");
        if (fresh) {
          lists.replaceWith(fresh);
        }
      }).catch(function () { /* the next event or poll tries again */ });
    }

    function refreshThread() {
      if (!thread || !selected) {
        return;
      }
      fetch(window.location.pathname + "?conversa=" + selected, {
        credentials: "same-origin",
        headers: { "Accept": "text/html" }
      }).then(function (response) {
        return response.ok ? response.text() : null;
      }).then(function (html) {
        if (html === null) {
          return;
        }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("chat-thread");
        if (fresh) {
          thread.replaceChildren.apply(thread, Array.prototype.slice.call(fresh.childNodes));
        }
      }).catch(function () { /* the page still holds what it had */ });
    }

    function authorLabel(message, internal) {
      var kinds = { requester: "person", bot: "bot" };
      var who = message.author_name || label(kinds[message.author] || "system");
      return internal ? label("note") + " · " + who : who;
    }

    function appendMessage(message, internal) {
      if (!thread || shown[message.id]) {
        return;
      }
      shown[message.id] = true;
      var item = document.createElement("li");
      item.className = "message " + (message.author || "") + (internal ? " internal" : "");
      var meta = document.createElement("p");
      meta.className = "meta";
      var strong = document.createElement("strong");
      strong.textContent = authorLabel(message, internal);
      meta.appendChild(strong);
      var when = new Date(message.at);
      var shownAt = isNaN(when) ? "" : when.toLocaleString(document.documentElement.lang || undefined, {
        dateStyle: "short",
        timeStyle: "short"
      });
      meta.appendChild(document.createTextNode(" · " + shownAt));
      item.appendChild(meta);
      var body = document.createElement("div");
      body.className = "body";
      (message.text || "").split("\n").forEach(function (line, index) {
        if (index) {
          body.appendChild(document.createElement("br"));
        }
        body.appendChild(document.createTextNode(line));
      });
      item.appendChild(body);
      var base = desk.getAttribute("data-attachment-base");
      if (message.files && message.files.length) {
        var list = document.createElement("ul");
        list.className = "attachments";
        message.files.forEach(function (file) {
          var li = document.createElement("li");
          var link = document.createElement("a");
          link.href = base + file.id + "/";
          link.textContent = file.name;
          li.appendChild(link);
          list.appendChild(li);
        });
        item.appendChild(list);
      }
      thread.appendChild(item);
      item.scrollIntoView({ block: "nearest" });
    }

    function markUnread(session) {
      var tab = document.querySelector('#chat-held li[data-session="' + session + '"] .chat-unread');
      if (!tab) {
        refreshLists();
        return;
      }
      var count = (parseInt(tab.getAttribute("data-unread") || "0", 10) || 0) + 1;
      tab.setAttribute("data-unread", String(count));
      tab.textContent = label("new-message") + " (" + count + ")";
      tab.hidden = false;
    }

    function showTyping() {
      if (!typingBox) {
        return;
      }
      typingBox.textContent = label("typing");
      clearTimeout(typingTimer);
      typingTimer = setTimeout(function () { typingBox.textContent = ""; }, TYPING_SHOWN);
    }

    function onEvent(data) {
      var session = data.session;
      switch (data.event) {
      case "console":
        refreshLists();
        break;
      case "message":
      case "note":
        if (session === selected) {
          appendMessage(data.message, data.event === "note");
          if (typingBox) {
            typingBox.textContent = "";
          }
          if (data.message.author !== "agent") {
            send({ type: "read", session: selected });
          }
        } else if (data.event === "message" && data.message.author !== "agent") {
          markUnread(session);
        }
        break;
      case "typing":
        if (session === selected && data.by === "person") {
          showTyping();
        }
        break;
      case "queued":
      case "accepted":
      case "transferred":
      case "presence":
        refreshLists();
        break;
      case "concluded":
      case "closed":
        if (session === selected) {
          say(label("ended"));
        }
        refreshLists();
        break;
      case "error":
        say(data.message || "");
        break;
      default:
        break;
      }
    }

    function pollWhileDown() {
      if (!pollTimer) {
        pollTimer = setInterval(refreshLists, POLL_WHEN_DOWN);
      }
    }

    function connect() {
      var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      socket = new WebSocket(scheme + window.location.host + desk.getAttribute("data-ws-path"));
      socket.addEventListener("open", function () {
        if (dropped) {
          refreshThread(); /* what was said while the socket was down */
        }
        dropped = false;
        backoff = 1000;
        clearInterval(pollTimer);
        pollTimer = null;
        say(label("connected"));
        if (selected) {
          send({ type: "read", session: selected });
        }
      });
      socket.addEventListener("message", function (event) {
        var data;
        try {
          data = JSON.parse(event.data);
        } catch (ignore) {
          return;
        }
        onEvent(data);
      });
      socket.addEventListener("close", function () {
        socket = null;
        dropped = true;
        say(label("reconnecting"));
        pollWhileDown();
        setTimeout(connect, backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF);
      });
    }

    function setUpForm() {
      var form = document.getElementById("chat-message-form");
      if (!form) {
        return;
      }
      var errorBox = document.getElementById("chat-send-error");
      var text = form.querySelector("textarea");
      if (text) {
        text.addEventListener("input", function () {
          var now = Date.now();
          if (now - lastTypingSent > TYPING_EVERY) {
            lastTypingSent = now;
            send({ type: "typing", session: selected });
          }
        });
      }
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var button = form.querySelector("button[type=submit]");
        if (button) {
          button.disabled = true;
        }
        var body = new FormData(form);
        var typed = text ? text.value : null;
        fetch(form.action, {
          method: "POST",
          body: body,
          credentials: "same-origin",
          headers: { "Accept": "application/json" }
        }).then(function (response) {
          return response.json();
        }).then(function (result) {
          if (result.ok) {
            /* the files go; the text only if it is still what was sent: the agent may
               already be typing the next message while this one travels */
            Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (input) {
              input.value = "";
            });
            if (text && text.value === typed) {
              text.value = "";
            }
            if (errorBox) {
              errorBox.hidden = true;
              errorBox.textContent = "";
            }
            appendMessage(result.message, false);
          } else if (errorBox) {
            errorBox.textContent = result.error || "";
            errorBox.hidden = false;
          }
        }).catch(function () {
          form.submit(); /* the plain form still works */
        }).then(function () {
          if (button) {
            button.disabled = false;
          }
        });
      });
    }

    setUpForm();
    connect();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
