/* The page keeps itself current, Refresh Scores works without a page load, and times show in
   the reader's own time zone. Without JavaScript the button submits its GET form, which simply
   reloads the page.

   Live updates: while the tab is visible, the part of the page that changes ([data-live-url]:
   the board's table, or a player's standing) is asked for again every data-live-seconds,
   each wait spread over 0.8-1.2 times that so a thousand open pages do not ask in step. Each
   poll sends If-None-Match with the last ETag: a 304 means nothing changed and costs nothing
   more; a 200 swaps the part in place. Screen readers hear about it (politely) only when the
   rows changed. A hidden tab stops polling and checks at once when shown again; errors, and
   old copies served while the backend is away, make it wait longer each time, up to a minute. */
(function () {
  "use strict";

  var JITTER = 0.2;
  var BACKOFF_MAX_MS = 60000;
  var ERRORS_BEFORE_NOTICE = 3;

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

  var target = document.querySelector("[data-live-url]");
  var status = document.querySelector("[data-refresh-status]");
  if (!target || !status || !window.fetch) {
    return;
  }
  var form = document.querySelector("[data-refresh-form]");
  var button = form && form.querySelector("[data-refresh-button]");
  var problem = document.querySelector("[data-refresh-error]");
  var url = target.getAttribute("data-live-url");
  var everyMs = parseFloat(target.getAttribute("data-live-seconds")) * 1000;

  var etag = null; // of what the page shows now
  var latest = 0; // the newest request: an older one's answer is dropped
  var busy = false; // a Refresh is under way
  var polling = false;
  var failures = 0; // polls in a row that failed or got an old copy
  var timer = null;
  var wasStale = target.querySelector(".notice-stale") !== null;

  function announce(message) {
    // Clear first so the same words are announced again on the next refresh.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = message;
    }, 50);
  }

  // What a reader would notice changing: the standing and the rows, not the time stamp.
  function rowsText(root) {
    var body = root.querySelector("tbody");
    var stats = root.querySelector(".stats");
    return (stats ? stats.textContent : "") + (body ? body.textContent : "");
  }

  // Put the new part in place, keeping the keyboard focus on the same link if it was inside.
  function swap(html) {
    var focused = document.activeElement;
    var href = focused && target.contains(focused) ? focused.getAttribute("href") : null;
    // The part is rendered by our own server with every name escaped.
    target.innerHTML = html;
    localizeTimes(target);
    if (href) {
      var again = target.querySelector('a[href="' + href.replace(/["\\]/g, "\\$&") + '"]');
      if (again) {
        again.focus();
      }
    }
  }

  function asOf() {
    var when = target.querySelector("[data-refreshed-at]");
    return when ? " as of " + when.textContent : "";
  }

  function staleMessage() {
    return "Live scores are temporarily unavailable; showing the last scores we have" + asOf() + ".";
  }

  function showProblem(on) {
    if (problem) {
      problem.hidden = !on;
    }
  }

  // Ask for the part: conditionally when polling. Resolves to {changed, stale} (changed is
  // false on a 304), rejects on a network error or an error status.
  function load(conditional) {
    var mine = ++latest;
    var headers = { Accept: "text/html" };
    if (conditional && etag) {
      headers["If-None-Match"] = etag;
    }
    return fetch(url, { cache: "no-store", credentials: "same-origin", headers: headers }).then(
      function (response) {
        if (mine !== latest) {
          return null; // a newer request (a Refresh) answers instead
        }
        var stale = response.headers.get("X-Data-Stale") === "true";
        if (response.status === 304) {
          return { changed: false, stale: stale };
        }
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        var tag = response.headers.get("ETag");
        return response.text().then(function (html) {
          if (mine !== latest) {
            return null;
          }
          var incoming = document.createElement("template");
          incoming.innerHTML = html;
          var changed = rowsText(incoming.content) !== rowsText(target);
          // A poll leaves the page alone when only the time stamp moved; a Refresh, asked
          // for, always shows what it got.
          if (changed || !conditional || stale !== wasStale) {
            swap(html);
          }
          etag = tag;
          return { changed: changed, stale: stale };
        });
      },
    );
  }

  // --- Refresh Scores --------------------------------------------------------------------------

  function setBusy(on) {
    // aria-disabled, not disabled: a disabled button loses focus, and a keyboard user would
    // land on the page's body after every refresh.
    busy = on;
    if (on) {
      button.setAttribute("aria-disabled", "true");
      button.setAttribute("aria-busy", "true");
      target.setAttribute("aria-busy", "true");
    } else {
      button.removeAttribute("aria-disabled");
      button.removeAttribute("aria-busy");
      target.removeAttribute("aria-busy");
    }
  }

  function refresh() {
    if (busy) {
      return;
    }
    setBusy(true);
    load(false)
      .then(function (result) {
        if (!result) {
          return;
        }
        showProblem(false);
        failures = 0;
        wasStale = result.stale;
        announce(result.stale ? staleMessage() : "Scores updated" + asOf() + ".");
        form.setAttribute("data-refreshed", String(Date.now()));
      })
      .catch(function () {
        showProblem(true);
        announce("We could not refresh the scores just now. Please try again in a moment.");
      })
      .then(function () {
        setBusy(false);
        schedule(); // the next poll counts from this fresh answer
      });
  }

  if (form && button) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      refresh();
    });
  }

  // --- Polling ----------------------------------------------------------------------------------

  function delay() {
    var base = everyMs * Math.pow(2, Math.min(failures, 5));
    var spread = 1 - JITTER + Math.random() * 2 * JITTER;
    return Math.min(base, BACKOFF_MAX_MS) * spread;
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = null;
    if (document.visibilityState !== "hidden" && everyMs > 0) {
      timer = window.setTimeout(poll, delay());
    }
  }

  function poll() {
    timer = null;
    if (busy || polling || document.visibilityState === "hidden") {
      schedule();
      return;
    }
    polling = true;
    load(true)
      .then(function (result) {
        if (!result) {
          return;
        }
        failures = result.stale ? failures + 1 : 0;
        if (failures < ERRORS_BEFORE_NOTICE) {
          showProblem(false);
        }
        if (result.stale && !wasStale) {
          announce(staleMessage());
        } else if (result.changed && !result.stale) {
          announce("Scores updated" + asOf() + ".");
        }
        if (result.changed || result.stale !== wasStale) {
          target.setAttribute("data-live-updated", String(Date.now()));
        }
        wasStale = result.stale;
      })
      .catch(function () {
        failures += 1;
        if (failures === ERRORS_BEFORE_NOTICE) {
          showProblem(true);
          announce("We could not refresh the scores just now. We will keep trying.");
        }
      })
      .then(function () {
        polling = false;
        schedule();
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      window.clearTimeout(timer);
      timer = null;
    } else {
      poll(); // at once: the page may have been hidden for a long time
    }
  });

  schedule();
})();
