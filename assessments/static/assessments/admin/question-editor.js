// The question editor: show only the chosen type's panels, say each option's score
// in words, and narrow long checkbox lists as the trainer types.
(function () {
  "use strict";

  var i18n = window.gettext ? window.gettext : function (s) { return s; };
  var fmt = window.interpolate ? window.interpolate : function (s) { return s; };

  function showTypePanels() {
    var select = document.querySelector('select[name="type"]');
    if (!select) return;
    var chosen = select.value;
    document.querySelectorAll("[data-question-types]").forEach(function (panel) {
      var types = panel.getAttribute("data-question-types").split(" ");
      panel.hidden = types.indexOf(chosen) === -1;
    });
  }

  function scoreInWords(value) {
    var n = parseFloat(value);
    if (isNaN(n)) return "";
    if (n >= 1) return i18n("Correct: choosing it earns all the points");
    if (n > 0) {
      return fmt(i18n("Partial credit: choosing it earns %s of the points"),
        [String(Math.round(n * 1000) / 10) + "%"]);
    }
    if (n === 0) return i18n("Wrong: choosing it earns nothing");
    return fmt(i18n("Penalty: choosing it deducts %s of the points"),
      [String(Math.round(-n * 1000) / 10) + "%"]);
  }

  function describeScore(input) {
    var note = input.parentNode.querySelector(".option-score__words");
    if (!note) {
      note = document.createElement("span");
      note.className = "option-score__words";
      note.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", note);
    }
    var words = scoreInWords(input.value);
    // Only a real change: the page watches for new nodes and would loop otherwise.
    if (note.textContent !== words) note.textContent = words;
  }

  function describeAllScores() {
    document.querySelectorAll("[data-option-fraction] input").forEach(describeScore);
  }

  function setUpFilter(box) {
    var input = box.querySelector("[data-filter-input]");
    var count = box.querySelector("[data-selected-count]");
    var items = box.querySelectorAll("label");
    input.hidden = false;
    count.hidden = false;
    function refresh() {
      var words = input.value.trim().toLowerCase();
      items.forEach(function (label) {
        var row = label.closest("li, div") || label;
        var text = label.textContent.toLowerCase();
        var checked = label.querySelector("input").checked;
        row.hidden = Boolean(words) && text.indexOf(words) === -1 && !checked;
      });
      var n = box.querySelectorAll("input[type=checkbox]:checked").length;
      count.textContent = fmt(i18n("%s selected"), [String(n)]);
    }
    input.addEventListener("input", refresh);
    // Enter in the filter box must not submit the whole question.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
    box.addEventListener("change", refresh);
    refresh();
  }

  function start() {
    var select = document.querySelector('select[name="type"]');
    if (select) {
      select.addEventListener("change", showTypePanels);
      showTypePanels();
    }
    document.addEventListener("input", function (event) {
      if (event.target.closest && event.target.closest("[data-option-fraction]")) {
        describeScore(event.target);
      }
    });
    describeAllScores();
    // Options added with "add" arrive later; describe them as they appear.
    new MutationObserver(describeAllScores).observe(document.body, {
      childList: true,
      subtree: true,
    });
    document.querySelectorAll("[data-filterable-checkboxes]").forEach(setUpFilter);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
