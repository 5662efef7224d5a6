/*
 * Error summary links, as GOV.UK's error summary behaves: a link moves focus to the first input of the
 * question and scrolls the question's heading into view, so the person sees which question the error
 * is about, not a lone radio button at the top edge of the window.
 *
 * The heading is the outermost legend that still fits in the top half of the window together with the
 * input (for a practice area's grade: the area's name, not just "Grade"); radios and checkboxes always
 * get at least their own legend; anything else falls back to its label. Without JavaScript the link is
 * an ordinary link to the input.
 */
(function () {
  "use strict";

  function legendOf(fieldset) {
    var first = fieldset.firstElementChild;
    return first && first.tagName === "LEGEND" ? first : null;
  }

  function outerFieldset(fieldset) {
    return fieldset.parentElement ? fieldset.parentElement.closest("fieldset") : null;
  }

  function headingFor(input) {
    var isChoice = input.type === "radio" || input.type === "checkbox";
    var inputBottom = input.getBoundingClientRect().bottom;
    var chosen = null;
    for (var fieldset = input.closest("fieldset"); fieldset; fieldset = outerFieldset(fieldset)) {
      var legend = legendOf(fieldset);
      if (!legend) continue;
      var fits = inputBottom - legend.getBoundingClientRect().top < window.innerHeight / 2;
      if (fits || (isChoice && !chosen)) {
        chosen = legend;
      } else {
        break;
      }
    }
    if (chosen) return chosen;
    return (input.id && document.querySelector('label[for="' + CSS.escape(input.id) + '"]')) || input.closest("label");
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest('#error-summary a[href^="#"]') : null;
    if (!link) return;
    var input = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!input || typeof input.focus !== "function") return;
    event.preventDefault();
    (headingFor(input) || input).scrollIntoView();
    input.focus({ preventScroll: true });
  });
})();
