// Small behaviours without inline script (the Content-Security-Policy allows scripts from this origin only).
// - <button data-print> / <a data-print>: print the page.
// - <select data-autosubmit>: send its form when the choice changes (a <noscript> button does it without JS).
document.addEventListener("click", function (event) {
  var target = event.target.closest("[data-print]");
  if (target) {
    event.preventDefault();
    window.print();
  }
});
document.addEventListener("change", function (event) {
  var target = event.target.closest("select[data-autosubmit]");
  if (target && target.form) {
    target.form.requestSubmit();
  }
});

// The catalogue's filters sit in a <details> that phones show folded (it works without script). Wide screens open
// it, and a swap by HTMX after a change keeps it as the person left it.
(function () {
  var wide = window.matchMedia("(min-width: 761px)");
  var wasOpen = false;
  function unfold() {
    document.querySelectorAll("details[data-filter-fold]").forEach(function (fold) {
      if (wide.matches || wasOpen) {
        fold.open = true;
      }
    });
  }
  document.addEventListener("DOMContentLoaded", unfold);
  document.addEventListener("htmx:beforeSwap", function () {
    var fold = document.querySelector("details[data-filter-fold]");
    wasOpen = Boolean(fold && fold.open);
  });
  document.addEventListener("htmx:afterSwap", function () {
    unfold();
    wasOpen = false;
  });
})();

// Phones: the product page's buy bar (a second "Add to cart" for the buy box's form, shown without script) steps
// aside while the buy box's own button is on screen.
(function () {
  if (!("IntersectionObserver" in window)) {
    return;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var bar = document.querySelector("[data-buy-bar]");
    var button = document.querySelector("#add-to-cart button[type=submit]");
    if (!bar || !button) {
      return;
    }
    new IntersectionObserver(function (entries) {
      bar.classList.toggle("buy-bar-off", entries[0].isIntersecting);
    }).observe(button);
  });
})();
