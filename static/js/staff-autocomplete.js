/*
 * Long lists of people (action owners) become a type-ahead: type part of a surname, first name, job
 * title or team, then pick. It uses GOV.UK's accessible-autocomplete (static/vendor/accessible-autocomplete),
 * which replaces each <select data-autocomplete> with a labelled combobox and keeps the select, hidden,
 * as the field that is submitted. Without JavaScript, or if the library did not load, the plain select
 * stays and works.
 */
(function () {
  "use strict";

  function optionWithText(select, text) {
    return [].find.call(select.options, function (option) {
      return option.value && option.textContent === text;
    });
  }

  function choose(select, option) {
    var value = option ? option.value : "";
    if (select.value === value) return;
    select.value = value;
    // The audit form autosaves on change; the library changes the select without telling anyone.
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // The library inserts each suggestion as HTML; names and job titles are text typed by people, so they
  // are escaped first (a job title like "<img onerror=...>" must show as those characters, not run).
  function asHtmlText(text) {
    var element = document.createElement("span");
    element.textContent = text;
    return element.innerHTML;
  }

  function enhance(select) {
    var inputId = select.id;
    window.accessibleAutocomplete.enhanceSelectElement({
      selectElement: select,
      // Without this the library types the empty option's text ("Choose an owner") into the box.
      defaultValue: "",
      // No showAllValues (the dropdown arrow): with it, an emptied box searches for everyone and leaving
      // it picks the first name on the list. Without JavaScript the plain select lists everyone.
      templates: {
        inputValue: function (text) {
          return text;
        },
        suggestion: asHtmlText,
      },
      tNoResults: function () {
        return "No one found: try part of the surname";
      },
      onConfirm: function (chosenText) {
        if (chosenText) {
          choose(select, optionWithText(select, chosenText));
          return;
        }
        // Left without picking from the list: keep what the box says, so what is submitted is what the
        // person sees. An emptied box clears the owner (the library would keep the old one).
        var input = document.getElementById(inputId);
        var typed = input ? input.value.trim() : "";
        choose(select, typed ? optionWithText(select, typed) : null);
      },
    });
  }

  function enhanceAll() {
    if (!window.accessibleAutocomplete) return;
    document.querySelectorAll("select[data-autocomplete]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhanceAll);
  } else {
    enhanceAll();
  }
})();
