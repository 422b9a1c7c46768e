
  // -- start ----------------------------------------------------------------------------

  var started = false;     // counting down and talking to the other tabs
  var installed = {};

  function install() {
    if (cfg.fetch && !installed.fetch) {
      installed.fetch = true;
      installFetch();
    }
    if (cfg.xhr && !installed.xhr) {
      installed.xhr = true;
      installXhr();
    }
    if (!installed.events) {
      installed.events = true;
      document.addEventListener("htmx:beforeOnLoad", onHtmxLoad);
      document.addEventListener("htmx:beforeSwap", onHtmxSwap);
      document.addEventListener("submit", onSubmit);
      document.addEventListener("keydown", onKeydown, true);
      document.addEventListener("focusin", onFocusin);
      document.addEventListener("visibilitychange", function () {
        if (document.visibilityState === "visible" && state.status !== "unknown" &&
            (!lastStatusAt || elapsed(lastStatusAt) > 5000)) {
          checkStatus(null);  // timers may have slept with the computer
        }
      });
      window.addEventListener("focus", function () {
        if (isOpen("relogin")) {
          checkStatus(null);  // signed in from the new-tab link, perhaps
        }
      });
    }
    if (cfg.tabs) {
      installTabs();
    } else {
      uninstallTabs();
    }
  }

  function configure(options) {
    apply(options || {});
    settle();
    if (started) {
      install();
      schedule();
    }
    return api;
  }

  function promised(run) {
    if (!window.Promise) {
      run(function () {});
      return undefined;
    }
    return new window.Promise(function (resolve) { run(resolve); });
  }

  var api = {
    version: VERSION,
    configure: configure,
    /** Extend the session now (counts as activity); resolves to true when it worked. */
    extend: function () {
      return promised(function (resolve) { extend(function (ok) { resolve(ok); }); });
    },
    /** Ask the server (passively); resolves to the status document. */
    check: function () {
      return promised(function (resolve) { checkStatus(resolve); });
    },
    /** Seconds left as this page counts them, or null (not signed in, or no deadline). */
    remaining: function () {
      var left = remainingMs();
      return left === null ? null : Math.max(0, Math.floor(left / 1000));
    },
    /** "unknown", "anonymous", "active" or "expired". */
    state: function () { return state.status; },
    signOut: signOut,
    signIn: signInAgain
  };

  configureFromPage();
  window.SessionTimeout = api;

  if (insideOurFrame) {
    return;
  }
  started = true;
  install();
  checkStatus(null);
}(typeof window !== "undefined" ? window : null,
  typeof document !== "undefined" ? document : null));
