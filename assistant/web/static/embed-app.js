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
  // data-documents on the loader arrives as ?documents=id-1,id-2: answers come from those only.
  var documents = (new URLSearchParams(location.search).get("documents") || "")
    .split(",").map(function (id) { return id.trim(); }).filter(Boolean);

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

  var SUMMARY_HEADING = "Samenvatting door het taalmodel";
  var SUMMARY_NOTE = "Geschreven door een taalmodel en per zin gecontroleerd tegen de bronnen; het letterlijke antwoord hierboven is leidend.";

  // One answer part: its text with citation links, a notice, and its own source list.
  function renderPart(container, part, notice) {
    var cites = {};
    (part.citations || []).forEach(function (c) { cites[c.n] = c; });
    var text = el("div", "sv-answer-text");
    String(part.answer || "").split(/(\[\d{1,3}\])/).forEach(function (piece) {
      var m = /^\[(\d{1,3})\]$/.exec(piece);
      if (m && cites[m[1]]) {
        text.appendChild(link(cites[m[1]], piece));
      } else if (piece) {
        text.appendChild(document.createTextNode(piece));
      }
    });
    container.appendChild(text);
    if (notice) { container.appendChild(el("p", "sv-notice", notice)); }
    var list = part.citations || [];
    if (list.length) {
      var ol = el("ol", "sv-sources");
      ol.setAttribute("aria-label", "Bronnen");
      list.forEach(function (c) {
        var li = el("li");
        li.appendChild(link(c, "[" + c.n + "] " + c.doc_title + ", " + where(c)));
        li.appendChild(el("blockquote", "", c.text));
        ol.appendChild(li);
      });
      container.appendChild(ol);
    }
  }

  function summarySection(box) {
    var section = el("section", "sv-summary");
    section.setAttribute("aria-label", SUMMARY_HEADING);
    section.appendChild(el("h2", "sv-summary-head", SUMMARY_HEADING));
    box.appendChild(section);
    return section;
  }

  // The verbatim answer first; under it the language model's summary when it was verified.
  function renderAnswer(box, answer) {
    box.textContent = "";
    if (answer.generated) {
      if (answer.extractive) { renderPart(box, answer.extractive, ""); }
      var section = summarySection(box);
      renderPart(section, answer.generated, answer.notice);
      section.appendChild(el("p", "sv-summary-note", SUMMARY_NOTE));
    } else {
      renderPart(box, answer, answer.notice);
    }
    box.appendChild(rating(answer));
  }

  function rating(answer) {
    var row = el("div", "sv-rate");
    row.appendChild(el("span", "", "Nuttig?"));
    // Words, not emoji: without an emoji font those render as empty boxes.
    [["up", "Ja", "Ja, nuttig"], ["down", "Nee", "Nee, niet nuttig"]].forEach(function (choice) {
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
        body: JSON.stringify({ question: question, history: history.slice(-MAX_HISTORY), documents: documents, stream: true })
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
    var buffer = "", partial = "", answer = null, verbatim = null, pending = null;
    for (;;) {
      var chunk = await reader.read();
      if (chunk.done) { break; }
      buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n/g, "\n");
      var cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        var ev = parseEvent(buffer.slice(0, cut));
        buffer = buffer.slice(cut + 2);
        if (ev.event === "extractive") {
          // The verbatim answer, on screen before any language model has written a word.
          verbatim = ev.data;
          box.textContent = "";
          renderPart(box, verbatim, "");
        } else if (ev.event === "token") {
          partial += ev.data.text;
          if (verbatim && verbatim.answerable) {
            if (!pending) { pending = el("p", "sv-summary-text"); summarySection(box).appendChild(pending); }
            pending.textContent = partial;
          } else {
            box.textContent = partial;
          }
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
