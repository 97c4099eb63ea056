// The dialog of the desktop tables (templates/includes/_dialog.html; issue 19, item 3).
// No inline handlers (the Content-Security-Policy forbids them); Bootstrap and htmx are loaded
// before this file (all three are deferred, in document order).
//   <a href="URL" hx-get="URL" hx-target="#gz-dialog-content">  loads a form into the dialog
//                                                               (without JS: the form's page);
//   <button type="button" data-gz-dialog="ID">                  opens <template id="ID">;
//   a fragment answered with the header X-Gz-Dialog is swapped even when its status is 4xx
//   (a refusal shown inside the dialog); other errors show the dialog's own error text;
//   the event gzDialogDone (HX-Trigger) closes the dialog; a new .toast is shown;
//   a [data-gz-rows] body with no [data-gz-row] left shows its [data-gz-empty] row.
(function () {
  "use strict";
  var CONTENT = "gz-dialog-content";
  // A step done: the dialog is to close. Bootstrap ignores hide() while the dialog is still
  // fading in (a quick answer to a quick click), so the wish is kept until it has shown.
  var closing = false;

  function modal() {
    var element = document.getElementById("gz-dialog");
    return element && window.bootstrap ? window.bootstrap.Modal.getOrCreateInstance(element) : null;
  }

  function open() {
    var dialog = modal();
    if (dialog) {
      dialog.show();
    }
  }

  function focusFirst() {
    var content = document.getElementById(CONTENT);
    var field = content && content.querySelector(
      "textarea, input:not([type=hidden]), select, .modal-footer [type=submit]"
    );
    if (field) {
      field.focus();
    }
  }

  function showError(text) {
    var content = document.getElementById(CONTENT);
    var holder = document.getElementById("gz-dialog");
    if (!content || !holder) {
      return;
    }
    var body = content.querySelector(".modal-body");
    if (!body) {
      content.textContent = "";
      body = document.createElement("div");
      body.className = "modal-body";
      content.appendChild(body);
    }
    var alert = document.createElement("div");
    alert.className = "alert alert-danger";
    alert.setAttribute("role", "alert");
    alert.setAttribute("data-testid", "dialog-error");
    alert.textContent = text || holder.getAttribute("data-error-text");
    body.insertBefore(alert, body.firstChild);
    open();
  }

  function showToasts(root) {
    if (!window.bootstrap || !root || !root.querySelectorAll) {
      return;
    }
    var toasts = root.classList && root.classList.contains("toast") ? [root] : root.querySelectorAll(".toast");
    Array.prototype.forEach.call(toasts, function (toast) {
      window.bootstrap.Toast.getOrCreateInstance(toast).show();
      toast.addEventListener("hidden.bs.toast", function () { toast.remove(); });
    });
  }

  function refreshEmpty() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-gz-rows]"), function (rows) {
      var empty = rows.querySelector("[data-gz-empty]");
      if (empty) {
        empty.hidden = rows.querySelector("[data-gz-row]") !== null;
      }
    });
  }

  function inDialog(element) {
    return element && (element.id === CONTENT || (element.closest && element.closest("#" + CONTENT)));
  }

  // A refusal comes back as a 4xx fragment: show it in the dialog instead of dropping it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (!inDialog(detail.target) || detail.xhr.status < 400) {
      return;
    }
    if (detail.xhr.getResponseHeader("X-Gz-Dialog")) {
      detail.shouldSwap = true;
      detail.isError = false;
    } else {
      detail.shouldSwap = false;
      showError();
    }
  });

  document.addEventListener("htmx:sendError", function (event) {
    if (inDialog(event.detail.target)) {
      showError();
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === CONTENT && !closing) {
      open();
      focusFirst();
    }
    refreshEmpty();
  });

  // A step button of the table asks for a new dialog: whatever closed before is over.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (!inDialog(event.detail.elt)) {
      closing = false;
    }
  });

  var holder = document.getElementById("gz-dialog");
  if (holder) {
    holder.addEventListener("shown.bs.modal", function () {
      var dialog = modal();
      if (closing && dialog) {
        dialog.hide();
      }
    });
    holder.addEventListener("hidden.bs.modal", function () {
      closing = false;
    });
  }

  document.addEventListener("htmx:oobAfterSwap", refreshEmpty);

  document.body.addEventListener("gzDialogDone", function () {
    var dialog = modal();
    closing = true;
    if (dialog) {
      dialog.hide();
    }
    refreshEmpty();
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-gz-dialog]");
    if (!button) {
      return;
    }
    var template = document.getElementById(button.getAttribute("data-gz-dialog"));
    var content = document.getElementById(CONTENT);
    if (!template || !content) {
      return;
    }
    event.preventDefault();
    content.textContent = "";
    content.appendChild(template.content.cloneNode(true));
    if (window.htmx) {
      window.htmx.process(content);
    }
    open();
    focusFirst();
  });

  var holder = document.getElementById("gz-dialog");
  if (holder) {
    holder.addEventListener("shown.bs.modal", focusFirst);
  }

  if (window.htmx) {
    window.htmx.onLoad(showToasts);
  }
  refreshEmpty();
})();
