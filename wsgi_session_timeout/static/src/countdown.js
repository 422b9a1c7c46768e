
  // -- the countdown --------------------------------------------------------------------

  var timer = null;
  var zeroCheckedAt = null;

  // A page on its way elsewhere counts no more.
  onStateChange(function (previous) {
    if ("navigating" in previous && state.navigating) {
      schedule();
    }
  });

  function warnMs() {
    return cfg.warnBefore * 1000;
  }

  function schedule() {
    if (timer !== null) {
      window.clearTimeout(timer);
      timer = null;
    }
    if (!started || state.navigating) {
      return;
    }
    var wait = Infinity;
    var left = remainingMs();
    if (state.status === "active" && left !== null) {
      if (left <= 0) {
        return verifyEnd();
      }
      if (left <= warnMs()) {
        if (!state.warnChecked) {
          // Another tab, or a request this page did not see, may have extended it.
          warningChecked();
          return checkStatus(null);
        }
        showWarning();
        updateCountdown();
        wait = left % 1000 || 1000;
      } else {
        if (isOpen("warning")) {
          closeDialog();
        }
        wait = left - warnMs();
      }
    } else if (isOpen("warning")) {
      closeDialog();
    }
    if (state.status === "active" && cfg.pollInterval > 0) {
      var sincePoll = lastStatusAt ? elapsed(lastStatusAt) : Infinity;
      wait = Math.min(wait, Math.max(0, cfg.pollInterval * 1000 - sincePoll));
    }
    if (wait !== Infinity) {
      timer = window.setTimeout(onTimer, Math.max(20, Math.min(wait, 3600000)));
    }
  }

  function onTimer() {
    timer = null;
    var left = remainingMs();
    var pollDue = cfg.pollInterval > 0 && state.status === "active" &&
      (!lastStatusAt || elapsed(lastStatusAt) >= cfg.pollInterval * 1000);
    if (pollDue && (left === null || left > 0)) {
      return checkStatus(null);
    }
    schedule();
  }

  // The countdown reached zero: the server decides.
  function verifyEnd() {
    if (zeroCheckedAt && elapsed(zeroCheckedAt) < 1000) {
      timer = window.setTimeout(schedule, 1000);
      return;
    }
    zeroCheckedAt = mark();
    checkStatus(function (doc) {
      var left = remainingMs();
      if (!doc && state.status === "active" && left !== null && left <= 0) {
        lost("timeout");  // unreachable, and past the (conservative) deadline
      }
    });
  }
