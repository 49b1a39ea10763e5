/* Saving answers while a quiz is taken: on every change, and every 20 seconds while
   something is unsaved. Saves go one at a time, each carrying the sequence number the
   server gave for the previous one; a refused (stale) save is shown, never retried.
   Text typed since the last acknowledged save is also kept on this device as a draft,
   so that a reload in the second before the save goes out loses nothing: the page
   puts the draft back and saves it, unless the server has moved on since. A save
   acknowledged while the page is being left may land after the next page was read:
   the draft then keeps the saved text with its new sequence number, and that page,
   older than the save, shows it instead of an empty box. */
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  var timer = document.getElementById("timer");
  function text(id) { var t = document.getElementById(id); return t ? t.innerHTML : ""; }
  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  if (timer) {
    var remaining = parseInt(timer.getAttribute("data-remaining"), 10);
    var end = Date.now() + remaining * 1000;
    var value = document.getElementById("timer-value");
    var tick = function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      value.textContent = (h ? h + ":" : "") + (m < 10 && h ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
      if (left <= 60) { timer.classList.add("timer-low"); }
      if (left === 0) {
        clearInterval(handle);
        var status = document.getElementById("save-status");
        if (status) { status.textContent = text("msg-timeup"); }
        var target = form ? form.getAttribute("data-summary-url") : window.location.href;
        setTimeout(function () { window.location.href = target; }, form ? 1500 : 500);
      }
    };
    var handle = setInterval(tick, 1000);
    tick();
  }

  var submitForm = document.getElementById("submit-form");
  if (submitForm) {
    submitForm.addEventListener("submit", function () {
      var button = document.getElementById("submit-button");
      setTimeout(function () { button.disabled = true; }, 0);
    });
  }
  if (!form) { return; }

  var url = form.getAttribute("data-save-url");
  var position = form.getAttribute("data-position");
  var type = form.getAttribute("data-type");
  var seqInput = document.getElementById("seq");
  var status = document.getElementById("save-status");
  var pending = null, inFlight = null, stopped = false, retryDelay = 1000;
  var typing = null;
  // Set once the page is being left with nothing unsent: a typed answer then waits in
  // the draft for the next page. Saving it now would race the reload, whose page may
  // be drawn before the save lands and would then find neither the answer nor a draft.
  var leaving = false;
  // Set once the page may be unloading: from beforeunload until the learner types
  // again or the page comes back from the cache. A save acknowledged meanwhile keeps
  // its text in the draft, since the next page may have been read before it landed.
  var unloading = false;
  var textInput = form.querySelector(".text-answer");
  var draftKey = "attempt-draft:" + url + ":" + position;

  function keepDraft(saved) {
    try {
      window.localStorage.setItem(draftKey, JSON.stringify({
        seq: parseInt(seqInput.value, 10), text: textInput.value, saved: !!saved
      }));
    } catch (e) { /* storage full or off: the autosave still runs */ }
  }
  function dropDraft() {
    try { window.localStorage.removeItem(draftKey); } catch (e) { /* nothing kept */ }
  }

  function currentAnswer() {
    var inputs = form.querySelectorAll("[name=answer]");
    if (type === "single" || type === "multiple") {
      var keys = [];
      inputs.forEach(function (i) { if (i.checked) { keys.push(i.value); } });
      return { keys: keys };
    }
    if (type === "true_false") {
      var v = null;
      inputs.forEach(function (i) { if (i.checked) { v = i.value === "true"; } });
      return { value: v };
    }
    return inputs.length ? { text: inputs[0].value } : {};
  }

  function markNav(answer) {
    var cell = document.querySelector('.nav-cell[data-position="' + position + '"]');
    if (!cell) { return; }
    var answered = (answer.keys && answer.keys.length) || (answer.value !== undefined && answer.value !== null) || (answer.text && answer.text.trim());
    cell.classList.toggle("answered", !!answered);
    cell.classList.toggle("flagged", document.getElementById("flag").checked);
  }

  function queue() {
    clearTimeout(typing);
    typing = null;
    if (leaving) { return Promise.resolve(false); }
    var payload = { answers: {}, flags: {} };
    var locked = form.querySelector("fieldset[disabled], .text-answer[disabled]");
    if (!locked) { payload.answers[position] = currentAnswer(); }
    payload.flags[position] = document.getElementById("flag").checked;
    pending = payload;
    markNav(payload.answers[position] || {});
    return flush();
  }

  function flush() {
    if (stopped) { return Promise.resolve(false); }
    if (inFlight) { return inFlight.then(flush); }
    if (!pending) { return Promise.resolve(true); }
    var body = pending;
    pending = null;
    body.seq = parseInt(seqInput.value, 10);
    status.textContent = text("msg-saving");
    inFlight = fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (data) { return { status: r.status, data: data }; });
    }).then(function (res) {
      inFlight = null;
      if (res.data.ok) {
        seqInput.value = res.data.seq;
        status.textContent = text("msg-saved");
        status.className = "save-status muted";
        retryDelay = 1000;
        if (!pending && !typing && textInput && unloading) {
          keepDraft(true);
        } else if (!pending && !typing && !leaving) {
          dropDraft();
        }
        return flush();
      }
      stopped = true;
      status.textContent = res.data.error;
      status.className = "save-status message message-error";
      if (res.data.code === "finished" || res.data.code === "time_up") {
        setTimeout(function () { window.location.href = form.getAttribute("data-summary-url"); }, 2000);
      }
      return false;
    }, function () {
      inFlight = null;
      // No connection: keep the answer and try again; the sequence number is unchanged.
      if (!pending) { pending = body; delete pending.seq; }
      status.textContent = text("msg-offline");
      status.className = "save-status message message-warning";
      setTimeout(flush, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 15000);
      return false;
    });
    return inFlight;
  }

  form.addEventListener("change", function () { leaving = false; queue(); });
  form.addEventListener("input", function (e) {
    leaving = false;
    unloading = false;
    if (e.target.classList.contains("text-answer")) {
      keepDraft();
      clearTimeout(typing);
      typing = setTimeout(queue, 1200);
    }
  });
  if (textInput && !textInput.disabled) {
    var draft = null;
    try { draft = JSON.parse(window.localStorage.getItem(draftKey) || "null"); } catch (e) { draft = null; }
    var shown = parseInt(seqInput.value, 10);
    if (draft && draft.saved && draft.seq > shown) {
      // This page was read before the last save landed: show what was saved.
      textInput.value = draft.text;
      seqInput.value = draft.seq;
      dropDraft();
    } else if (draft && !draft.saved && draft.seq === shown && draft.text !== textInput.value) {
      // Only a draft typed on top of the answer the server still has is put back.
      textInput.value = draft.text;
      queue();
    } else {
      dropDraft();
    }
  }
  setInterval(function () { if (pending) { flush(); } }, 20000);

  form.addEventListener("submit", function (e) {
    if (stopped) { return; }
    var submitter = e.submitter;
    e.preventDefault();
    clearTimeout(typing);
    var done = function () {
      if (submitter && submitter.name) {
        var hidden = document.createElement("input");
        hidden.type = "hidden"; hidden.name = submitter.name; hidden.value = submitter.value;
        form.appendChild(hidden);
      }
      form.submit();
    };
    // Save through the queue first so that the form post carries the newest seq.
    queue().then(function (ok) { if (ok) { done(); } });
  });
  window.addEventListener("beforeunload", function (e) {
    unloading = true;
    if (pending || inFlight) { e.preventDefault(); e.returnValue = ""; return; }
    if (typing) { leaving = true; clearTimeout(typing); typing = null; }
  });
  // Back on this page from the browser's cache: the draft is still here, send it.
  window.addEventListener("pageshow", function (e) {
    if (!e.persisted) { return; }
    unloading = false;
    if (leaving) { leaving = false; queue(); }
  });
  // From here on every answer is saved; what was typed before the script ran is not
  // (it goes with the form when the learner moves on).
  form.setAttribute("data-autosave", "on");
})();
