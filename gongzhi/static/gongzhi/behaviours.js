// Small page behaviours without inline event handlers (the Content-Security-Policy forbids them):
//   <button data-confirm="Question?">  asks before the click goes through;
//   <select data-autosubmit>           submits its form when the choice changes.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-autosubmit]") && target.form) {
      target.form.submit();
    }
  });
})();
