/* Relais console: live regions, nothing else. Served by the app (CSP: script-src 'self').
 *
 * An element with data-live-src is refreshed from that URL every data-live-every
 * milliseconds while the page is visible. The URL answers 204 when nothing changed since
 * ?depuis=<data-live-version>, or the new entries with their version in X-Relais-Case-Hash.
 * The element is aria-live="polite", so a screen reader announces what arrives.
 */
(function () {
  "use strict";

  function follow(region) {
    var every = parseInt(region.getAttribute("data-live-every"), 10) || 3000;
    var busy = false;

    function look() {
      if (busy || document.hidden) {
        return;
      }
      busy = true;
      var url = region.getAttribute("data-live-src") + "?depuis=" +
        encodeURIComponent(region.getAttribute("data-live-version") || "");
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (answer) {
          if (answer.status === 200) {
            var version = answer.headers.get("X-Relais-Case-Hash") || "";
            return answer.text().then(function (html) {
              region.innerHTML = html;
              region.setAttribute("data-live-version", version);
            });
          }
          if (answer.status >= 400) {
            clearInterval(timer); /* refused or logged out: stop asking */
          }
          return null;
        })
        .catch(function () { /* the network blinked: try again at the next tick */ })
        .then(function () { busy = false; });
    }

    var timer = setInterval(look, every);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var regions = document.querySelectorAll("[data-live-src]");
    for (var i = 0; i < regions.length; i += 1) {
      follow(regions[i]);
    }
  });
}());
