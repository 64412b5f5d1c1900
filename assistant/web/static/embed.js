/*
 * Semicon Visie-assistent widget. Paste on an intranet page:
 *   <div id="assistent"></div>
 *   <script src="https://ASSISTANT-HOST/embed.js" data-mode="inline" data-target="#assistent"></script>
 * or, for a button in the corner that opens a chat panel:
 *   <script src="https://ASSISTANT-HOST/embed.js" data-mode="floating"></script>
 * Optional: data-height="600px" (inline), data-label="Vraag het de assistent" (floating button text),
 * data-documents="id-1,id-2" (answer from these documents only; the ids are in GET /api/documents).
 * The page's origin must be listed in the assistant's ASSISTANT_ALLOWED_ORIGINS.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) { return; }
  var origin = new URL(script.src, location.href).origin;
  var mode = script.getAttribute("data-mode") || "floating";
  var title = "Semicon Visie-assistent";
  var documents = (script.getAttribute("data-documents") || "").trim();

  function frame() {
    var f = document.createElement("iframe");
    f.src = origin + "/embed" + (documents ? "?documents=" + encodeURIComponent(documents) : "");
    f.title = title;
    f.setAttribute("allow", "clipboard-write");
    f.style.border = "0";
    f.style.width = "100%";
    f.style.display = "block";
    f.style.background = "#fff";
    return f;
  }

  function inline() {
    var selector = script.getAttribute("data-target");
    var target = selector ? document.querySelector(selector) : null;
    if (!target) {
      console.warn("Semicon Visie-assistent: geen element gevonden voor data-target=" + selector);
      return;
    }
    var f = frame();
    f.style.height = script.getAttribute("data-height") || "560px";
    f.style.border = "1px solid #ccc";
    f.style.borderRadius = "6px";
    target.appendChild(f);
  }

  function floating() {
    var button = document.createElement("button");
    var panel = document.createElement("div");
    var panelId = "sv-assistent-panel";
    button.type = "button";
    button.textContent = script.getAttribute("data-label") || "Vraag het de assistent";
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", panelId);
    button.className = "sv-assistent-button";
    Object.assign(button.style, {
      position: "fixed", right: "16px", bottom: "16px", zIndex: "2147483000",
      background: "#154273", color: "#fff", border: "0", borderRadius: "24px",
      padding: "12px 18px", font: "600 15px/1.2 system-ui, sans-serif", cursor: "pointer",
      boxShadow: "0 2px 8px rgba(0,0,0,.3)"
    });
    panel.id = panelId;
    panel.hidden = true;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", title);
    Object.assign(panel.style, {
      position: "fixed", right: "16px", bottom: "72px", zIndex: "2147483000",
      width: "min(400px, calc(100vw - 32px))", height: "min(620px, calc(100vh - 104px))",
      boxShadow: "0 4px 18px rgba(0,0,0,.35)", borderRadius: "8px", overflow: "hidden", background: "#fff"
    });

    function toggle(open) {
      if (open && !panel.firstChild) {
        var f = frame();
        f.style.height = "100%";
        panel.appendChild(f);
      }
      panel.hidden = !open;
      button.setAttribute("aria-expanded", String(open));
      button.textContent = open ? "Sluit de assistent" : (script.getAttribute("data-label") || "Vraag het de assistent");
      if (open) { panel.firstChild.focus(); } else { button.focus(); }
    }

    button.addEventListener("click", function () { toggle(panel.hidden); });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !panel.hidden) { toggle(false); }
    });
    document.body.appendChild(panel);
    document.body.appendChild(button);
  }

  function start() { if (mode === "inline") { inline(); } else { floating(); } }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
