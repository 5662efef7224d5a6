/*
 * QA Portal's own script. It lives here, not in the pages, because the Content-Security-Policy
 * allows script only from the app's static files: no inline <script>, no onclick=, no hx-on.
 * Every page works without it; it only adds focus, printing and autosave messages.
 */
(function () {
  "use strict";

  // An error summary marked data-focus-on-load takes the focus, so keyboard and screen-reader
  // users hear what to fix first (WCAG 3.3.1).
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) {
    summary.focus();
  }

  // The main menu on narrow screens: the button shows and hides the links (its aria-expanded says which).
  var navToggle = document.querySelector("[data-nav-toggle]");
  if (navToggle) {
    var nav = navToggle.closest("nav");
    nav.classList.add("nav-folds");
    navToggle.hidden = false;
    navToggle.addEventListener("click", function () {
      var open = nav.classList.toggle("nav-open");
      navToggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // <button type="button" data-print> prints the page.
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });

  // Autosave (htmx): a form with data-autosave-status="<id of its status line>" shows its own
  // messages there when a save cannot reach the server (data-autosave-offline) or the server
  // refuses it (data-autosave-failed).
  function showAutosaveProblem(messageAttribute) {
    return function (event) {
      var form = event.detail && event.detail.elt ? event.detail.elt.closest("form[data-autosave-status]") : null;
      if (!form) {
        return;
      }
      var status = document.getElementById(form.getAttribute("data-autosave-status"));
      if (status) {
        status.textContent = form.getAttribute(messageAttribute);
      }
    };
  }
  document.body.addEventListener("htmx:sendError", showAutosaveProblem("data-autosave-offline"));
  document.body.addEventListener("htmx:responseError", showAutosaveProblem("data-autosave-failed"));
})();
