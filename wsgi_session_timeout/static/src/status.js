
  // -- talking to the middleware --------------------------------------------------------

  // The browser's own, taken before hooks-xhr.js puts its stand-in in its place.
  var RealXHR = window.XMLHttpRequest;

  function ajax(method, url, headers, callback) {
    var xhr = new RealXHR();
    var done = false;
    function finish(ok) {
      if (!done) {
        done = true;
        callback(ok ? xhr : null);
      }
    }
    xhr.open(method, url, true);
    for (var name in headers) {
      xhr.setRequestHeader(name, headers[name]);
    }
    xhr.timeout = 15000;
    xhr.onload = function () { finish(true); };
    xhr.onerror = xhr.ontimeout = xhr.onabort = function () { finish(false); };
    xhr.send(method === "POST" ? "" : null);
  }

  function parseJson(xhr) {
    try {
      return JSON.parse(xhr.responseText);
    } catch (e) {
      return null;
    }
  }

  var statusRound = null;  // the status request in flight: {waiters: [waiter]}
  var lastStatusAt = null;

  // Reading the status is never activity; the header says so to any proxy or app too.
  // A caller while a request is in flight shares its answer. reason says what a
  // signed-out answer means (another tab's news: "logout" or "expired"); the newest
  // caller's reason wins. A caller that came with news after the request went out is not
  // answered by a "signed in" sent before that news: it gets a request of its own.
  function checkStatus(callback, reason) {
    var waiter = { callback: callback || null, reason: reason || null, late: !!statusRound };
    if (statusRound) {
      statusRound.waiters.push(waiter);
    } else {
      sendStatus([waiter]);
    }
  }

  function sendStatus(waiters) {
    var round = statusRound = { waiters: waiters };
    var seq = nextSeq();
    var sent = mark();
    lastStatusAt = sent;
    ajax("GET", endpoint + "/" + NAMES.STATUS, statusHeaders(), function (xhr) {
      statusRound = null;
      var doc = xhr && xhr.status === 200 ? parseJson(xhr) : null;
      var again = [];
      if (doc && typeof doc.authenticated === "boolean") {
        var reason = newestReason(round.waiters);
        learn({ seq: seq, mark: sent, authenticated: doc.authenticated,
                expiresIn: doc.expires_in, loginUrl: doc.login_url,
                reason: reason || (endedOnPurpose(doc.reason) ? doc.reason : "expired"),
                remote: !!reason });
        if (doc.authenticated) {
          again = lateNews(round.waiters);
        }
      }
      each(round.waiters, function (waiter) {
        if (waiter.callback && again.indexOf(waiter) < 0) {
          waiter.callback(doc);
        }
      });
      if (again.length) {
        each(again, function (waiter) { waiter.late = false; });
        if (statusRound) {
          statusRound.waiters = statusRound.waiters.concat(again);
        } else {
          sendStatus(again);
        }
      }
      schedule();  // also when the request failed: the countdown goes on
    });
  }

  function statusHeaders() {
    var headers = { "Accept": "application/json" };
    headers[NAMES.PASSIVE_HEADER] = "1";
    return headers;
  }

  function extend(callback) {
    var seq = nextSeq();
    var sent = mark();
    ajax("POST", endpoint + "/" + NAMES.EXTEND,
         { "Accept": "application/json", "X-Requested-With": "XMLHttpRequest" },
         function (xhr) {
      var doc = xhr ? parseJson(xhr) : null;
      if (xhr && xhr.status === 200 && doc && doc.authenticated === true) {
        learn({ seq: seq, mark: sent, authenticated: true, expiresIn: doc.expires_in });
        emit("sessiontimeout:extended", snapshot());
        post({ t: "state", remaining: remainingMs() });
        callback && callback(true, doc);
        return;
      }
      var expiry = xhr ? expiryFromXhr(xhr) : null;
      if (expiry) {
        learn({ seq: seq, mark: sent, authenticated: false, loginUrl: expiry.loginUrl,
                reason: expiry.reason || "expired" });
      }
      callback && callback(false, expiry);
    });
  }

  // Where to sign in: the server's own login_url (with came_from = this page) from an
  // earlier answer, the configured one, or the one an extend call is answered with when
  // the session is gone.
  function resolveLoginUrl(callback) {
    if (cfg.loginUrl) {
      return callback(withParam(cfg.loginUrl, cfg.cameFromParam, currentPage()));
    }
    if (state.loginUrl) {
      return callback(state.loginUrl);
    }
    extend(function (ok, expiry) {
      if (ok) {
        return callback(null);  // signed in after all (in another tab, say)
      }
      callback(state.loginUrl || (expiry && expiry.loginUrl) ||
               withParam(mount + "/login", cfg.cameFromParam, currentPage()));
    });
  }
