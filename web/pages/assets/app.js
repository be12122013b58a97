// Earshot's page script: small and optional (every action also works as a
// plain form post). No inline script anywhere: the pages' Content Security
// Policy forbids it.
(function () {
  "use strict";
  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }
  // htmx requests carry the CSRF token as a header.
  document.addEventListener("htmx:configRequest", function (e) {
    e.detail.headers["X-CSRF-Token"] = csrf();
  });
  // A failed htmx request says so instead of doing nothing.
  document.addEventListener("htmx:responseError", function (e) {
    var msg = (e.detail.xhr && e.detail.xhr.responseText) || "Request failed";
    var box = document.getElementById("action-error");
    if (!box) {
      box = document.createElement("p");
      box.id = "action-error";
      box.className = "error toast";
      box.setAttribute("role", "alert");
      document.body.appendChild(box);
    }
    box.textContent = msg.slice(0, 300);
    setTimeout(function () { if (box.parentNode) { box.parentNode.removeChild(box); } }, 6000);
  });
  // Forms that destroy something ask first (data-confirm carries the question).
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (f.matches && f.matches("form.confirm") && !window.confirm(f.getAttribute("data-confirm"))) {
      e.preventDefault();
    }
  }, true);
  // Upload progress of the customers import.
  document.addEventListener("htmx:xhr:progress", function (e) {
    var f = e.target.closest && e.target.closest("form.upload");
    if (!f || !e.detail.lengthComputable) { return; }
    var p = f.querySelector("progress.upload-progress");
    p.hidden = false;
    p.value = Math.round(e.detail.loaded * 100 / e.detail.total);
  });
  // New mentions from the live stream are marked until looked at.
  document.addEventListener("htmx:sseMessage", function (e) {
    var list = e.target;
    var first = list && list.firstElementChild;
    if (first && first.classList) { first.classList.add("fresh"); }
  });
  // Moments are rendered in UTC; show them in the reader's own time zone,
  // in the page's language, keeping the UTC form as the tooltip.
  function localTimes(root) {
    if (!window.Intl || !root.querySelectorAll) { return; }
    var fmt = new Intl.DateTimeFormat(document.documentElement.lang || undefined,
      { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
    var els = root.querySelectorAll("time[data-local]");
    for (var i = 0; i < els.length; i++) {
      var d = new Date(els[i].getAttribute("datetime"));
      if (isNaN(d.getTime())) { continue; }
      if (!els[i].title) { els[i].title = els[i].textContent; }
      els[i].textContent = fmt.format(d);
      els[i].removeAttribute("data-local");
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { localTimes(document); });
  } else {
    localTimes(document);
  }
  document.addEventListener("htmx:afterSettle", function (e) { localTimes(e.target || document); });
  document.addEventListener("htmx:sseMessage", function (e) { localTimes(e.target || document); });
  // "/" focuses the search box, as on most search sites.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) { return; }
    var t = e.target.tagName;
    if (t === "INPUT" || t === "TEXTAREA" || t === "SELECT") { return; }
    var q = document.querySelector('input[name="q"]');
    if (q) { e.preventDefault(); q.focus(); q.select(); }
  });
})();
