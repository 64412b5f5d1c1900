// Brings the paragraph named in the URL fragment into view and marks it, also after in-page jumps.
(function () {
  "use strict";
  var marked = null;

  function target() {
    var id = location.hash.slice(1);
    if (!id) { return null; }
    try { id = decodeURIComponent(id); } catch (e) { /* keep the raw fragment */ }
    return document.getElementById(id);
  }

  function show() {
    var el = target();
    if (marked) { marked.classList.remove("sv-highlight"); }
    if (!el) { return; }
    el.classList.add("sv-highlight");
    marked = el;
    el.scrollIntoView({ block: "center" });
    el.focus({ preventScroll: true });
  }

  window.addEventListener("hashchange", show);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", show);
  } else {
    show();
  }
})();
