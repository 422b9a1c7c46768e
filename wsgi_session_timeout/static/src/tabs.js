
  // -- tabs -----------------------------------------------------------------------------
  // Every tab of this origin shares the session cookie, so what one learns is true for all.

  var channel = null;
  var STORAGE_KEY = "wsgi-session-timeout";
  var tabId = Math.random().toString(36).slice(2);

  function post(message) {
    if (!cfg.tabs || !started || insideOurFrame) {
      return;
    }
    message.endpoint = endpoint;
    message.from = tabId;
    try {
      if (channel) {
        channel.postMessage(message);
      } else if (window.localStorage) {
        message.nonce = Math.random();
        window.localStorage.setItem(STORAGE_KEY, JSON.stringify(message));
        window.localStorage.removeItem(STORAGE_KEY);
      }
    } catch (e) { /* storage full or refused: this tab goes on alone */ }
  }

  function broadcastState() {
    post({ t: "state", remaining: remainingMs() });
  }

  function onMessage(message) {
    if (!cfg.tabs || !message || message.endpoint !== endpoint || message.from === tabId) {
      return;
    }
    if (message.t === "state") {
      if (state.status !== "active") {
        return checkStatus(null);  // signed in elsewhere: confirm first
      }
      var mine = remainingMs();
      if (mine !== null && (message.remaining === null || message.remaining > mine + 500)) {
        heardRemaining(message.remaining);
      }
    } else if (message.t === "logout") {
      if (state.status === "active") {
        lost("logout", { remote: true });
      }
    } else if (message.t === "lost") {
      if (state.status === "active") {
        // Still time left here: it ended by a sign-out, not by the clock.
        var left = remainingMs();
        checkStatus(null, left === null || left > 0 ? "logout" : "expired");
      }
    } else if (message.t === "signedin") {
      if (state.status !== "active" || isOpen("relogin")) {
        checkStatus(null);
      }
    }
  }

  function onStorage(event) {
    if (event.key === STORAGE_KEY && event.newValue) {
      try {
        onMessage(JSON.parse(event.newValue));
      } catch (e) { /* not ours */ }
    }
  }

  function uninstallTabs() {
    if (channel) {
      channel.close();
      channel = null;
    }
  }

  function installTabs() {
    if (channel || !cfg.tabs) {
      return;
    }
    if (window.BroadcastChannel) {
      channel = new window.BroadcastChannel(STORAGE_KEY);
      channel.onmessage = function (event) { onMessage(event.data); };
    } else {
      window.addEventListener("storage", onStorage);
    }
  }
