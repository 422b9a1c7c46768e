
  // -- state ----------------------------------------------------------------------------
  // The one owner of what this page knows about the session. Every change goes through
  // setState, which tells the listeners (onStateChange) what changed; the other sections
  // read state and call the transitions below, never assign to it.

  var state = {
    status: "unknown",     // unknown | anonymous | active | expired
    seq: 0,                // the send order of the newest information used
    authSeq: 0,            // ... of the newest that said "signed in"
    base: null,            // when remainingMs was true (the request's send time)
    remainingMs: null,     // null while active: no deadline at all
    wasSignedIn: false,
    reason: null,
    loginUrl: null,
    warnChecked: false,    // the server was asked once the warning time came
    warned: false,         // the warning went out for this deadline
    navigating: false      // this page is on its way to the login or logout page
  };

  var stateListeners = [];

  // changes: {name: value}. Listeners get {name: previous value} of what changed.
  function setState(changes) {
    var previous = {};
    var changed = false;
    for (var name in changes) {
      if (!hasOwn(changes, name)) {
        continue;
      }
      if (!hasOwn(state, name)) {
        throw new Error("SessionTimeout: no state " + name);
      }
      if (state[name] !== changes[name]) {
        previous[name] = state[name];
        state[name] = changes[name];
        changed = true;
      }
    }
    if (changed) {
      each(stateListeners.slice(), function (listener) { listener(previous); });
    }
  }

  function onStateChange(listener) {
    stateListeners.push(listener);
  }

  function remainingMs() {
    if (state.status !== "active" || state.remainingMs === null) {
      return null;
    }
    return state.remainingMs - elapsed(state.base);
  }

  // How long ago the news this page counts from was sent (null: none, or not signed in).
  function knowledgeAgeMs() {
    return state.status === "active" && state.base ? elapsed(state.base) : null;
  }

  function snapshot() {
    var left = remainingMs();
    return {
      state: state.status,
      expiresIn: left === null ? null : Math.max(0, Math.floor(left / 1000))
    };
  }

  // -- transitions ------------------------------------------------------------------------

  // info: {seq, mark, authenticated, expiresIn (s or null), loginUrl, reason}
  function learn(info) {
    if (info.seq < state.seq) {
      return;  // an older request's news, overtaken by a newer one
    }
    var changes = { seq: info.seq };
    if (info.loginUrl && isSafeLoginUrl(info.loginUrl)) {
      changes.loginUrl = info.loginUrl;
    }
    setState(changes);
    if (info.authenticated) {
      signedInNow(info);
    } else {
      lost(info.reason || "expired", { quiet: info.quiet, remote: info.remote });
    }
  }

  function signedInNow(info) {
    var before = state.status;
    var was = remainingMs();
    var changes = {
      status: "active",
      authSeq: Math.max(state.authSeq, info.seq),
      wasSignedIn: true,
      reason: null,
      base: info.mark,
      remainingMs: info.expiresIn === null || info.expiresIn === undefined
        ? null : info.expiresIn * 1000
    };
    var now = changes.remainingMs === null ? null : changes.remainingMs - elapsed(info.mark);
    if (now === null || now > warnMs()) {
      changes.warnChecked = changes.warned = false;
    }
    setState(changes);
    if (before === "expired" || heldCount() || hasHeldForm() || isOpen("relogin")) {
      resume();
    }
    if (!info.remote && (before !== "active" || was === null || now === null ||
                         now > was + 1000)) {
      broadcastState();
    }
    emit("sessiontimeout:update", snapshot());
    schedule();
  }

  function lost(reason, options) {
    options = options || {};
    var before = state.status;
    var ended = before === "active" || before === "expired" || state.wasSignedIn;
    setState({ status: ended ? "expired" : "anonymous", remainingMs: null });
    if (before === "unknown" && !options.remote) {
      // A page that opens signed out may be the one a sign-out led to: the tabs that
      // still count down ask the server.
      post({ t: "lost" });
    }
    if (ended && before !== "expired") {
      setState({ reason: reason });
      if (!options.remote) {
        post({ t: reason === "logout" ? "logout" : "lost" });
      }
      var event = emit("sessiontimeout:expired",
                       { reason: reason, loginUrl: state.loginUrl }, true);
      if (!options.quiet && !event.defaultPrevented && !isOpen("relogin")) {
        showExpired();
      } else if (isOpen("warning")) {
        closeDialog();
      }
    }
    emit("sessiontimeout:update", snapshot());
    schedule();
  }

  // An answer sent as request seq says the session is gone: nothing older counts now.
  function overtakenBy(seq, loginUrl) {
    var changes = { seq: Math.max(state.seq, seq) };
    if (loginUrl) {
      changes.loginUrl = loginUrl;
    }
    setState(changes);
  }

  // Another tab has more time left than this one counts (it extended the session).
  function heardRemaining(ms) {
    setState({ seq: nextSeq(), base: mark(), remainingMs: ms, warnChecked: false,
               warned: false });
    emit("sessiontimeout:update", snapshot());
    schedule();
  }

  function warningChecked() {
    setState({ warnChecked: true });
  }

  function warningShown() {
    setState({ warned: true });
  }

  function navigatingAway(away) {
    setState({ navigating: away });
  }
