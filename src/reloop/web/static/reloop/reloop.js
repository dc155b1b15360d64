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
