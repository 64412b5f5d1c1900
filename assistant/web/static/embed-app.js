// The chat inside the /embed iframe. Everything from the server is put on the page as text
// (textContent), never as HTML; the only links are citation links to this server's viewer.
(function () {
  "use strict";
  var form = document.getElementById("sv-form");
  var input = document.getElementById("sv-q");
  var send = document.getElementById("sv-send");
  var log = document.getElementById("sv-log");
  var error = document.getElementById("sv-error");
  var history = [];
  var MAX_HISTORY = 20;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function viewerHref(citation) {
    return "/doc/" + encodeURIComponent(citation.doc_id) + "#p-" + encodeURIComponent(citation.paragraph_id).replace(/%3A/gi, ":");
  }

  function link(citation, text) {
    var a = el("a", "sv-cite", text);
    a.href = new URL(viewerHref(citation), location.origin).href;
    a.target = "_blank";
    a.rel = "noopener";
    return a;
  }

  function where(c) {
    return c.label + (c.page !== null && c.page !== undefined ? ", pagina " + c.page : "");
  }

  function showError(message) {
    error.textContent = message;
    error.hidden = !message;
  }

  function renderAnswer(box, answer) {
    var cites = {};
    (answer.citations || []).forEach(function (c) { cites[c.n] = c; });
    box.textContent = "";
    var text = el("div", "sv-answer-text");
    String(answer.answer || "").split(/(\[\d{1,3}\])/).forEach(function (part) {
      var m = /^\[(\d{1,3})\]$/.exec(part);
      if (m && cites[m[1]]) {
        text.appendChild(link(cites[m[1]], part));
      } else if (part) {
        text.appendChild(document.createTextNode(part));
      }
    });
    box.appendChild(text);
    if (answer.notice) { box.appendChild(el("p", "sv-notice", answer.notice)); }
    var list = answer.citations || [];
    if (list.length) {
      var ol = el("ol", "sv-sources");
      ol.setAttribute("aria-label", "Bronnen");
      list.forEach(function (c) {
        var li = el("li");
        li.appendChild(link(c, "[" + c.n + "] " + c.doc_title + ", " + where(c)));
        li.appendChild(el("blockquote", "", c.text));
        ol.appendChild(li);
      });
      box.appendChild(ol);
    }
    box.appendChild(rating(answer));
  }

  function rating(answer) {
    var row = el("div", "sv-rate");
    row.appendChild(el("span", "", "Nuttig?"));
    [["up", "👍", "Ja, nuttig"], ["down", "👎", "Nee, niet nuttig"]].forEach(function (choice) {
      var b = el("button", "", choice[1]);
      b.type = "button";
      b.setAttribute("aria-label", choice[2]);
      b.addEventListener("click", function () {
        fetch("/api/feedback", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ question: answer.question, answer: answer.answer, citations: answer.citations || [], rating: choice[0] })
        }).then(function (r) {
          row.textContent = r.ok ? "Bedankt voor uw feedback." : "Feedback kon niet worden opgeslagen.";
        }, function () { row.textContent = "Feedback kon niet worden opgeslagen."; });
      });
      row.appendChild(b);
    });
    return row;
  }

  function parseEvent(block) {
    var event = "message", data = [];
    block.split("\n").forEach(function (line) {
      if (line.indexOf("event:") === 0) { event = line.slice(6).trim(); }
      else if (line.indexOf("data:") === 0) { data.push(line.slice(5).replace(/^ /, "")); }
    });
    return { event: event, data: data.length ? JSON.parse(data.join("\n")) : null };
  }

  async function ask(question) {
    showError("");
    log.appendChild(el("p", "sv-msg sv-user", question));
    var box = el("div", "sv-msg sv-bot", "Bezig met zoeken in de bronnen…");
    box.setAttribute("aria-busy", "true");
    log.appendChild(box);
    box.scrollIntoView({ block: "end" });
    var response;
    try {
      response = await fetch("/api/ask", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "text/event-stream" },
        body: JSON.stringify({ question: question, history: history.slice(-MAX_HISTORY), stream: true })
      });
    } catch (e) {
      box.textContent = "De assistent is niet bereikbaar. Probeer het later opnieuw.";
      return;
    } finally {
      box.removeAttribute("aria-busy");
    }
    if (!response.ok) {
      var detail = "Er ging iets mis. Probeer het opnieuw.";
      try { detail = (await response.json()).detail || detail; } catch (e) { /* keep the default */ }
      box.textContent = detail;
      return;
    }
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "", partial = "", answer = null;
    for (;;) {
      var chunk = await reader.read();
      if (chunk.done) { break; }
      buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n/g, "\n");
      var cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        var ev = parseEvent(buffer.slice(0, cut));
        buffer = buffer.slice(cut + 2);
        if (ev.event === "token") {
          partial += ev.data.text;
          box.textContent = partial;
        } else if (ev.event === "answer") {
          answer = ev.data;
        } else if (ev.event === "error") {
          box.textContent = ev.data.detail;
        }
      }
    }
    if (answer) {
      renderAnswer(box, answer);
      history.push({ role: "user", content: question }, { role: "assistant", content: answer.answer });
    }
    box.scrollIntoView({ block: "nearest" });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var question = input.value.trim();
    if (!question) { showError("Typ eerst een vraag."); input.focus(); return; }
    input.value = "";
    send.disabled = true;
    ask(question).catch(function () {
      showError("Er ging iets mis. Probeer het opnieuw.");
    }).finally(function () {
      send.disabled = false;
      input.focus();
    });
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
})();
