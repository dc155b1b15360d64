// Search box autocomplete, WAI-ARIA combobox pattern (list autocomplete, manual selection).
// HTMX fills #search-suggestions; this file only opens/closes the list and moves the active option.
(function () {
  "use strict";
  var script = document.currentScript;
  function setup() {
    var input = document.getElementById("site-search");
    var url = script && script.getAttribute("data-suggest-url");
    if (!input || !url || !window.htmx) { return; }
    // Progressive enhancement: without this script the search box is a plain form.
    var list = document.createElement("ul");
    list.id = "search-suggestions";
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", script.getAttribute("data-label") || "Suggestions");
    list.hidden = true;
    input.parentNode.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("autocomplete", "off");
    input.setAttribute("hx-get", url);
    input.setAttribute("hx-trigger", "input changed delay:250ms");
    input.setAttribute("hx-target", "#search-suggestions");
    input.setAttribute("hx-swap", "innerHTML");
    input.setAttribute("hx-sync", "this:replace");
    window.htmx.process(input);
    var active = -1;
    function options() { return Array.prototype.slice.call(list.querySelectorAll('[role="option"]:not([aria-disabled="true"])')); }
    function open(show) {
      list.hidden = !show;
      input.setAttribute("aria-expanded", show ? "true" : "false");
      if (!show) { select(-1); }
    }
    function select(index) {
      var opts = options();
      opts.forEach(function (o, i) { o.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (index >= 0 && opts[index]) {
        input.setAttribute("aria-activedescendant", opts[index].id);
        opts[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.target === list) { active = -1; open(list.children.length > 0 && input.value.trim().length >= 2); }
    });
    input.addEventListener("keydown", function (event) {
      var opts = options();
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden && opts.length) { open(true); }
        select(opts.length ? (active + 1) % opts.length : -1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        select(opts.length ? (active <= 0 ? opts.length - 1 : active - 1) : -1);
      } else if (event.key === "Enter" && active >= 0 && opts[active]) {
        event.preventDefault();
        window.location.assign(opts[active].querySelector("a").href);
      } else if (event.key === "Escape") {
        open(false);
      }
    });
    input.addEventListener("blur", function () { setTimeout(function () { open(false); }, 150); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setup); } else { setup(); }
})();
