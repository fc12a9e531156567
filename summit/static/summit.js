// Progressive enhancement: every form here works without JavaScript.
// The words this script shows come from the page, already translated: data-label-* attributes
// that the templates render (the English words below only stand in when a page gives none).
// summitWords(el, "status-running", ...) reads data-label-status-running; summitFill puts a
// value in for "{name}".
function summitWords(el, name, fallback) {
  "use strict";
  var key = ("label-" + name).replace(/-([a-z])/g, function (_, c) { return c.toUpperCase(); });
  return (el && el.dataset[key]) || fallback;
}
function summitFill(pattern, name, value) {
  "use strict";
  return pattern.split("{" + name + "}").join(String(value));
}

(function () {
  "use strict";

  // Stars: one click, updated in place.
  document.querySelectorAll("form[data-star]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          if (!response.ok) { throw new Error(response.statusText); }
          return response.json();
        })
        .then(function (state) {
          var starred = state.starred;
          form.querySelector("input[name=starred]").value = starred ? "" : "y";
          button.setAttribute("aria-pressed", starred ? "true" : "false");
          button.firstElementChild.textContent = starred ? "★" : "☆";
          button.childNodes[2].textContent = " " + (starred
            ? summitWords(button, "starred", "Starred") : summitWords(button, "star", "Star"));
          form.querySelector("[data-count]").textContent = state.count;
        })
        .catch(function () { form.submit(); })
        .finally(function () { button.disabled = false; });
    });
  });

  // Job progress: poll until the job ends.
  var job = document.getElementById("job");
  if (job && (job.dataset.status === "queued" || job.dataset.status === "running")) {
    var poll = function () {
      fetch(job.dataset.url, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (state) {
          document.getElementById("job-status").textContent =
            summitWords(job, "status-" + state.status, state.status);
          var bar = document.getElementById("job-progress");
          bar.max = state.total || 1;
          bar.value = state.done;
          document.getElementById("job-count").textContent = state.done + " / " + state.total;
          document.getElementById("job-message").textContent = state.message ||
            (state.status === "queued" ? summitWords(job, "waiting", "Waiting for the background worker…")
              : summitWords(job, "started", "The worker has started…"));
          var list = document.getElementById("job-errors");
          list.textContent = "";
          ((state.result && state.result.errors) || []).forEach(function (e) {
            var item = document.createElement("li");
            item.textContent = summitFill(summitFill(
              summitWords(job, "error-line", "line {line}: {message}"), "line", e[0]), "message", e[1]);
            list.appendChild(item);
          });
          if (state.status === "queued" || state.status === "running") { setTimeout(poll, 1000); }
        })
        .catch(function () { setTimeout(poll, 3000); });
    };
    setTimeout(poll, 500);
  }
})();

// The Schedule page: solver progress, and drag-and-drop onto the move form.
(function () {
  "use strict";
  var box = document.getElementById("solve-progress");
  if (box && (box.dataset.status === "queued" || box.dataset.status === "running")) {
    var poll = function () {
      fetch(box.dataset.url, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (state) {
          document.getElementById("solve-status").textContent =
            summitWords(box, "status-" + state.status, state.status);
          document.getElementById("solve-message").textContent = state.message ||
            (state.status === "queued" ? summitWords(box, "waiting", "Waiting for the background worker…")
              : summitWords(box, "started", "The worker has started; the first schedule comes in a moment…"));
          var bar = document.getElementById("solve-bar");
          bar.max = state.total || 1;
          bar.value = state.done;
          var p = (state.result && state.result.progress) || {};
          var elapsed = state.elapsed !== null
            ? summitFill(summitWords(box, "elapsed", "{elapsed} s"), "elapsed", state.elapsed) : "";
          document.getElementById("solve-elapsed").textContent = elapsed + (p.limit
            ? summitFill(summitWords(box, "limit", " of {limit} s"), "limit", p.limit) : "");
          if (state.status === "queued" || state.status === "running") { setTimeout(poll, 1000); }
          else { window.location.reload(); }
        })
        .catch(function () { setTimeout(poll, 3000); });
    };
    setTimeout(poll, 500);
  }
  var form = document.getElementById("move-form");
  if (!form) { return; }
  document.querySelectorAll("td.session[draggable]").forEach(function (cell) {
    cell.addEventListener("dragstart", function (e) { e.dataTransfer.setData("text/plain", cell.dataset.session); });
  });
  document.querySelectorAll("td.free").forEach(function (cell) {
    cell.addEventListener("dragover", function (e) { e.preventDefault(); cell.classList.add("over"); });
    cell.addEventListener("dragleave", function () { cell.classList.remove("over"); });
    cell.addEventListener("drop", function (e) {
      e.preventDefault();
      form.elements.session_id.value = e.dataTransfer.getData("text/plain");
      form.elements.day_id.value = cell.dataset.day;
      form.elements.slot.value = cell.dataset.slot;
      form.elements.room_id.value = cell.dataset.room;
      form.submit();
    });
  });
})();

// P5: the viewer's own time beside the venue's, on request; remembered per browser.
(function () {
  "use strict";
  var note = document.querySelector("[data-zone]");
  var toggle = document.querySelector("[data-local-toggle]");
  if (!note || !toggle || !window.Intl) { return; }
  var venue = note.dataset.zone;
  var mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var KEY = "summit.localTimes";
  var format = new Intl.DateTimeFormat(undefined, {
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short", timeZone: mine,
  });
  toggle.hidden = false;
  var show = function (on) {
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
    toggle.textContent = on ? summitWords(toggle, "hide", "Hide my time zone")
      : summitWords(toggle, "show", "Show my time zone too");
    document.querySelectorAll("time[datetime]").forEach(function (el) {
      var next = el.nextElementSibling;
      if (next && next.classList.contains("local-time")) { next.remove(); }
      if (!on) { return; }
      var when = new Date(el.getAttribute("datetime"));
      if (isNaN(when)) { return; }
      var span = document.createElement("span");
      span.className = "local-time";
      span.textContent = " " + summitFill(mine === venue ? summitWords(toggle, "same", "({time}, the same)")
        : summitWords(toggle, "time", "({time})"), "time", format.format(when));
      el.after(span);
    });
  };
  show(localStorage.getItem(KEY) === "on");
  toggle.addEventListener("click", function () {
    var on = localStorage.getItem(KEY) !== "on";
    localStorage.setItem(KEY, on ? "on" : "off");
    show(on);
  });
})();

// The hallway screen reloads itself (a corridor monitor has nobody to press F5); a script
// rather than <meta http-equiv=refresh>, which would also reload pages people read.
(function () {
  "use strict";
  var seconds = parseInt(document.body.dataset.refresh || "", 10);
  if (seconds > 0) { setTimeout(function () { location.reload(); }, seconds * 1000); }
})();
