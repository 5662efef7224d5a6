// The exemption form shows only the fields of the kind of exemption chosen.
// Without this script every field shows, each group headed by the kind it belongs to, and the server ignores
// the fields of the kind not chosen. With it, those groups are hidden and their inputs disabled (so they are
// not sent), and they come back when the other kind is chosen.
(function () {
  "use strict";

  function update(form) {
    var chosen = form.querySelector('input[name="kind"]:checked');
    form.querySelectorAll("[data-exemption-kind]").forEach(function (group) {
      var hide = chosen !== null && group.getAttribute("data-exemption-kind") !== chosen.value;
      group.hidden = hide;
      group.querySelectorAll("input, select, textarea").forEach(function (input) {
        input.disabled = hide;
      });
    });
  }

  function enhance(form) {
    form.querySelectorAll('input[name="kind"]').forEach(function (radio) {
      radio.addEventListener("change", function () {
        update(form);
      });
    });
    update(form);
  }

  function start() {
    document.querySelectorAll("form[data-exemption-form]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
