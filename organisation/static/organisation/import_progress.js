// Polls an import job until it finishes, then reloads to show the result.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || box.dataset.finished) { return; }
  var url = box.dataset.statusUrl;
  function poll() {
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        document.getElementById("import-bar").value = data.progress;
        document.getElementById("import-percent").textContent = data.progress;
        document.getElementById("import-status").textContent = data.status_label;
        if (data.finished) { window.location.reload(); } else { setTimeout(poll, 1000); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
