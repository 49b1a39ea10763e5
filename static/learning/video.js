/* Playback heartbeats for lesson videos: while a video plays, the page tells the
   server where it is every few seconds. The server decides what counts as watched. */
(function () {
  "use strict";
  var EVERY_MS = 5000;

  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function beat(video) {
    if (video.paused || video.ended || !isFinite(video.duration)) return;
    var body = new URLSearchParams();
    body.set("source", video.getAttribute("data-source"));
    body.set("position", String(video.currentTime));
    body.set("duration", String(video.duration));
    fetch(video.getAttribute("data-heartbeat"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf() },
      body: body
    }).catch(function () { /* the next beat tries again */ });
  }

  document.querySelectorAll("video[data-heartbeat]").forEach(function (video) {
    var timer = null;
    video.addEventListener("play", function () {
      if (timer === null) timer = window.setInterval(function () { beat(video); }, EVERY_MS);
    });
    function stop() {
      beat(video);
      if (timer !== null) { window.clearInterval(timer); timer = null; }
    }
    video.addEventListener("pause", stop);
    video.addEventListener("ended", stop);
  });
})();
