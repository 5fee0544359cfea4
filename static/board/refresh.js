/* Refresh Scores without a page load, and show times in the reader's own time zone.
   Without JavaScript the button submits its GET form, which simply reloads the page. */
(function () {
  "use strict";

  function localizeTimes(root) {
    var times = root.querySelectorAll("time[data-local-time]");
    Array.prototype.forEach.call(times, function (element) {
      var moment = new Date(element.getAttribute("datetime"));
      if (isNaN(moment.getTime())) {
        return;
      }
      var options = { hour: "2-digit", minute: "2-digit" };
      if (element.getAttribute("data-local-time") === "long") {
        options.second = "2-digit";
      }
      element.textContent = moment.toLocaleTimeString([], options);
      element.title = moment.toLocaleString();
    });
  }

  localizeTimes(document);

  var form = document.querySelector("[data-refresh-form]");
  var target = document.querySelector("[data-board-table]");
  var status = document.querySelector("[data-refresh-status]");
  var problem = document.querySelector("[data-refresh-error]");
  if (!form || !target || !status || !window.fetch) {
    return;
  }
  var button = form.querySelector("[data-refresh-button]");

  function announce(message) {
    // Clear first so the same words are announced again on the next refresh.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = message;
    }, 50);
  }

  function busy(on) {
    button.disabled = on;
    if (on) {
      button.setAttribute("aria-busy", "true");
      target.setAttribute("aria-busy", "true");
    } else {
      button.removeAttribute("aria-busy");
      target.removeAttribute("aria-busy");
    }
  }

  function refresh() {
    busy(true);
    fetch(form.getAttribute("data-refresh-url"), {
      cache: "no-store",
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        var stale = response.headers.get("X-Data-Stale") === "true";
        return response.text().then(function (html) {
          return { html: html, stale: stale };
        });
      })
      .then(function (result) {
        // The fragment is rendered by our own server with every name escaped.
        target.innerHTML = result.html;
        localizeTimes(target);
        problem.hidden = true;
        var when = target.querySelector("[data-refreshed-at]");
        var at = when ? " as of " + when.textContent : "";
        announce(
          result.stale
            ? "Live scores are temporarily unavailable; showing the last scores we have" + at + "."
            : "Scores updated" + at + ".",
        );
        form.setAttribute("data-refreshed", String(Date.now()));
      })
      .catch(function () {
        problem.hidden = false;
        announce("We could not refresh the scores just now. Please try again in a moment.");
      })
      .then(function () {
        busy(false);
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    refresh();
  });
})();
