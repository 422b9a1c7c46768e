/*!
 * wsgi_session_timeout client script.
 *
 *   <script src="/_session/client.js"></script>
 *
 * Counts down the session's remaining time (told by the server, never computed from the
 * client's clock), warns before it ends, lets the user stay signed in, and when a request
 * meets an expired session sends the user to the login page, or (mode "dialog") signs
 * them in again inside the page and replays the requests that failed meanwhile.
 *
 * Plain ES5, no dependencies, no build step. Configured with data- attributes on the
 * script tag, window.SessionTimeoutConfig, or SessionTimeout.configure({...}).
 */
(function (window, document) {
  "use strict";

  if (!window || !document || (window.SessionTimeout && window.SessionTimeout.version)) {
    return;  // no DOM, or already loaded once on this page
  }

  var VERSION = "0.1.0";
  var FRAME_ATTRIBUTE = "data-session-timeout-frame";

  // Inside the re-login dialog's iframe the page after sign-in may include this script too;
  // it must not count down, wrap requests or open dialogs of its own there.
  var insideOurFrame = false;
  try {
    insideOurFrame = !!(window.frameElement && window.frameElement.hasAttribute(FRAME_ATTRIBUTE));
  } catch (e) { /* a cross-origin parent: not ours */ }

  // -- configuration --------------------------------------------------------------------

  var TEXTS = {
    warningTitle: "Your session is about to end",
    warningBody: "For your security you will be signed out in {time}.",
    stay: "Stay signed in",
    signOut: "Sign out",
    extendFailed: "The server could not be reached. Please try again.",
    expiredTitle: "Your session has ended",
    expiredBody: "You were signed out because your session timed out. Sign in again to continue.",
    signedOutBody: "You were signed out in another window. Sign in again to continue.",
    signIn: "Sign in again",
    close: "Close",
    reloginTitle: "Sign in to continue",
    reloginBody: "Your session has ended. Sign in again below: this page keeps what you were doing and carries on afterwards.",
    frameTitle: "Sign-in page",
    cancel: "Cancel",
    newTab: "Open the sign-in page in a new tab"
  };

  var DEFAULTS = {
    endpoint: null,          // mount + endpoint_prefix; null: where this script came from
    warnBefore: 60,          // seconds before the end the warning opens; 0: no warning
    mode: "redirect",        // "redirect" or "dialog": what an expired AJAX answer leads to
    loginUrl: null,          // null: the login_url the server answers with
    logoutUrl: null,         // null: "logout" beside the endpoint's mount point
    logoutMethod: "GET",     // "GET" or "POST" (a POST form navigation)
    cameFromParam: "came_from",
    pollInterval: 120,       // seconds between passive status checks; 0: none
    fetch: true,             // wrap window.fetch
    xhr: true,               // wrap XMLHttpRequest (jQuery, YUI 2 and 3, htmx, ...)
    htmx: true,              // htmx events, for when xhr is off
    forms: true,             // hold POST forms submitted after expiry
    tabs: true,              // agree with the other tabs (BroadcastChannel, localStorage)
    css: true,               // inject the default CSS once
    classPrefix: "session-timeout",
    formatTime: null,        // function (milliseconds) -> text; JS API only
    texts: null
  };

  var cfg = {};
  var texts = {};
  var endpoint = "/_session";
  var mount = "";

  function copy(target, source) {
    for (var key in source) {
      if (Object.prototype.hasOwnProperty.call(source, key)) {
        target[key] = source[key];
      }
    }
    return target;
  }

  function kebab(name) {
    return name.replace(/[A-Z]/g, function (c) { return "-" + c.toLowerCase(); });
  }

  function asBoolean(value) {
    if (typeof value === "boolean") {
      return value;
    }
    return !/^(false|0|no|off)$/i.test(String(value).replace(/^\s+|\s+$/g, ""));
  }

  function normalise(name, value) {
    var fallback = DEFAULTS[name];
    if (typeof fallback === "boolean") {
      return asBoolean(value);
    }
    if (typeof fallback === "number") {
      var number = typeof value === "number" ? value : parseFloat(value);
      if (!(number >= 0)) {
        throw new Error("SessionTimeout: " + name + " must be a number of seconds >= 0, got " + value);
      }
      return number;
    }
    if (name === "mode" && value !== "redirect" && value !== "dialog") {
      throw new Error("SessionTimeout: mode must be \"redirect\" or \"dialog\", got " + value);
    }
    if (name === "logoutMethod") {
      value = String(value).toUpperCase();
      if (value !== "GET" && value !== "POST") {
        throw new Error("SessionTimeout: logoutMethod must be GET or POST, got " + value);
      }
    }
    if (name === "formatTime" && value !== null && typeof value !== "function") {
      throw new Error("SessionTimeout: formatTime must be a function");
    }
    return value;
  }

  function apply(options) {
    for (var name in options) {
      if (!Object.prototype.hasOwnProperty.call(options, name)) {
        continue;
      }
      if (!Object.prototype.hasOwnProperty.call(DEFAULTS, name)) {
        throw new Error("SessionTimeout: unknown option " + name);
      }
      if (name === "texts") {
        for (var key in options.texts) {
          if (!Object.prototype.hasOwnProperty.call(TEXTS, key)) {
            throw new Error("SessionTimeout: unknown text " + key);
          }
          texts[key] = String(options.texts[key]);
        }
      } else {
        cfg[name] = normalise(name, options[name]);
      }
    }
  }

  function ownScript() {
    if (document.currentScript) {
      return document.currentScript;
    }
    var scripts = document.getElementsByTagName("script");
    for (var i = scripts.length - 1; i >= 0; i--) {
      if (/\/client\.js(?:[?#]|$)/.test(scripts[i].src || "")) {
        return scripts[i];
      }
    }
    return null;
  }

  function attributeOptions(script) {
    var options = {};
    if (!script) {
      return options;
    }
    for (var name in DEFAULTS) {
      var attribute = "data-" + kebab(name);
      if (name !== "texts" && name !== "formatTime" && script.hasAttribute(attribute)) {
        options[name] = script.getAttribute(attribute);
      }
    }
    var own = {};
    if (script.hasAttribute("data-texts")) {
      copy(own, JSON.parse(script.getAttribute("data-texts")));
    }
    for (var key in TEXTS) {
      if (script.hasAttribute("data-text-" + kebab(key))) {
        own[key] = script.getAttribute("data-text-" + kebab(key));
      }
    }
    options.texts = own;
    return options;
  }

  function settle() {
    endpoint = cfg.endpoint ? String(cfg.endpoint).replace(/\/+$/, "") : endpoint;
    // The middleware serves this script at <mount><endpoint_prefix>/client.js.
    mount = endpoint.replace(/\/_session$/, "");
  }

  // -- time -----------------------------------------------------------------------------
  // A remaining time is measured from the moment its request was sent. Elapsed time is the
  // larger of what performance.now() and Date say: the first does not jump with the wall
  // clock, the second keeps counting while a laptop sleeps. Either way the server confirms
  // before anything is shown as ended.

  function perfNow() {
    return window.performance && window.performance.now ? window.performance.now() : 0;
  }

  function mark() {
    return { perf: perfNow(), date: new Date().getTime() };
  }

  function elapsed(since) {
    var perf = perfNow() - since.perf;
    var date = new Date().getTime() - since.date;
    return Math.max(perf > 0 ? perf : 0, date > 0 ? date : 0);
  }

  var seqCounter = 0;

  function nextSeq() {
    seqCounter += 1;
    return seqCounter;
  }

  // -- small helpers --------------------------------------------------------------------

  var anchor = document.createElement("a");

  function absolute(url) {
    anchor.href = url;
    return anchor.href;
  }

  function originOf(url) {
    anchor.href = url;
    return anchor.protocol + "//" + anchor.host;
  }

  function sameOrigin(url) {
    try {
      return originOf(String(url)) === originOf(window.location.href);
    } catch (e) {
      return false;
    }
  }

  function currentPage() {
    return window.location.pathname + window.location.search;
  }

  function withParam(url, name, value) {
    var hash = "";
    var at = url.indexOf("#");
    if (at >= 0) {
      hash = url.slice(at);
      url = url.slice(0, at);
    }
    var escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    var pair = encodeURIComponent(name) + "=" + encodeURIComponent(value);
    var pattern = new RegExp("([?&])" + escaped + "=[^&]*");
    if (pattern.test(url)) {
      url = url.replace(pattern, "$1" + pair);
    } else {
      url += (url.indexOf("?") >= 0 ? "&" : "?") + pair;
    }
    return url + hash;
  }

  function isSafeLoginUrl(url) {
    return typeof url === "string" && (/^\/(?!\/)/.test(url) || /^https?:\/\//i.test(url));
  }

  function emit(name, detail, cancelable) {
    var event;
    try {
      event = new window.CustomEvent(name, { detail: detail, cancelable: !!cancelable });
    } catch (e) {
      event = document.createEvent("CustomEvent");
      event.initCustomEvent(name, false, !!cancelable, detail);
    }
    document.dispatchEvent(event);
    return event;
  }

  function later(fn) {
    window.setTimeout(fn, 0);
  }

  function rethrowLater(error) {
    // A page's listener that throws must not stop the others, and must still be reported.
    later(function () { throw error; });
  }

  function each(list, fn) {
    for (var i = 0; i < list.length; i++) {
      fn(list[i], i);
    }
  }

  // -- what the server said -------------------------------------------------------------

  function headerSeconds(value) {
    if (value === null || value === undefined || !/^\s*\d+\s*$/.test(value)) {
      return null;
    }
    return parseInt(value, 10);
  }

  // An answer that may be the middleware's "sign in again": xhr_status is 401 by default
  // but may be any 4xx/5xx, or 200 with a {"success": false} envelope. Signed-in answers
  // carry Session-Expires-In and expiry answers never do. Only small JSON bodies are read.
  function mayBeExpiry(status, contentType, expiresIn, length) {
    if (!/json/i.test(contentType || "") || (length && parseInt(length, 10) > 65536)) {
      return false;
    }
    return status >= 400 || (status === 200 && (expiresIn === null || expiresIn === undefined));
  }

  function expiryFromDocument(status, doc) {
    if (!doc || typeof doc !== "object") {
      return null;
    }
    if (doc.error !== "session_expired" && doc.error !== "login_required") {
      return null;
    }
    if (typeof doc.login_url !== "string" || (status === 200 && doc.success !== false)) {
      return null;
    }
    return {
      error: doc.error,
      reason: typeof doc.reason === "string" ? doc.reason : null,
      loginUrl: isSafeLoginUrl(doc.login_url) ? doc.login_url : null
    };
  }

  function expiryFromText(status, text) {
    try {
      return expiryFromDocument(status, JSON.parse(text));
    } catch (e) {
      return null;
    }
  }

  function expiryFromAuthenticate(header) {
    var match = /error="(session_expired|login_required)"/.exec(header || "");
    return match ? { error: match[1], reason: null, loginUrl: null } : null;
  }

  function readHeader(xhr, name) {
    try {
      return xhr.getResponseHeader(name);
    } catch (e) {
      return null;
    }
  }

  function expiryFromXhr(xhr) {
    var status = xhr.status;
    if (!status) {
      return null;
    }
    var type = readHeader(xhr, "Content-Type");
    if (!mayBeExpiry(status, type, readHeader(xhr, "Session-Expires-In"),
                     readHeader(xhr, "Content-Length"))) {
      return null;
    }
    var responseType = xhr.responseType;
    try {
      if (!responseType || responseType === "text") {
        return expiryFromText(status, xhr.responseText);
      }
      if (responseType === "json") {
        return expiryFromDocument(status, xhr.response);
      }
    } catch (e) {
      return null;
    }
    return expiryFromAuthenticate(readHeader(xhr, "WWW-Authenticate"));
  }

  // -- state ----------------------------------------------------------------------------

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
    warned: false          // the warning went out for this deadline
  };

  function remainingMs() {
    if (state.status !== "active" || state.remainingMs === null) {
      return null;
    }
    return state.remainingMs - elapsed(state.base);
  }

  function snapshot() {
    var left = remainingMs();
    return {
      state: state.status,
      expiresIn: left === null ? null : Math.max(0, Math.floor(left / 1000))
    };
  }

  var queue = [];          // requests held until the user has signed in again
  var heldForm = null;     // a form submission held the same way
  var navigating = false;
  var started = false;

  // info: {seq, mark, authenticated, expiresIn (s or null), loginUrl, reason}
  function learn(info) {
    if (info.seq < state.seq) {
      return;  // an older request's news, overtaken by a newer one
    }
    state.seq = info.seq;
    if (info.loginUrl && isSafeLoginUrl(info.loginUrl)) {
      state.loginUrl = info.loginUrl;
    }
    if (info.authenticated) {
      signedInNow(info);
    } else {
      lost(info.reason || "expired", { quiet: info.quiet, remote: info.remote });
    }
  }

  function signedInNow(info) {
    var before = state.status;
    var was = remainingMs();
    state.status = "active";
    state.authSeq = Math.max(state.authSeq, info.seq);
    state.wasSignedIn = true;
    state.reason = null;
    state.base = info.mark;
    state.remainingMs = info.expiresIn === null || info.expiresIn === undefined
      ? null : info.expiresIn * 1000;
    var now = remainingMs();
    if (now === null || now > warnMs()) {
      state.warnChecked = state.warned = false;
    }
    if (before === "expired" || queue.length || heldForm || isOpen("relogin")) {
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
    if (before === "active" || before === "expired" || state.wasSignedIn) {
      state.status = "expired";
    } else {
      state.status = "anonymous";
    }
    state.remainingMs = null;
    if (before === "unknown" && !options.remote) {
      // A page that opens signed out may be the one a sign-out led to: the tabs that
      // still count down ask the server.
      post({ t: "lost" });
    }
    if (state.status === "expired" && before !== "expired") {
      state.reason = reason;
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

  // -- talking to the middleware --------------------------------------------------------

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

  var statusWaiters = [];
  var lastStatusAt = null;

  // Reading the status is never activity; the header says so to any proxy or app too.
  function checkStatus(callback, reason) {
    statusWaiters.push(callback || null);
    if (statusWaiters.length > 1) {
      return;
    }
    var seq = nextSeq();
    var sent = mark();
    lastStatusAt = sent;
    ajax("GET", endpoint + "/status",
         { "Accept": "application/json", "X-Session-Passive": "1" }, function (xhr) {
      var doc = xhr && xhr.status === 200 ? parseJson(xhr) : null;
      if (doc && typeof doc.authenticated === "boolean") {
        learn({ seq: seq, mark: sent, authenticated: doc.authenticated,
                expiresIn: doc.expires_in, loginUrl: doc.login_url,
                reason: reason || "expired", remote: !!reason });
      }
      var waiters = statusWaiters.splice(0);
      each(waiters, function (waiter) {
        if (waiter) {
          waiter(doc);
        }
      });
      schedule();  // also when the request failed: the countdown goes on
    });
  }

  function extend(callback) {
    var seq = nextSeq();
    var sent = mark();
    ajax("POST", endpoint + "/extend",
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

  // -- the countdown --------------------------------------------------------------------

  var timer = null;
  var zeroCheckedAt = null;

  function warnMs() {
    return cfg.warnBefore * 1000;
  }

  function schedule() {
    if (timer !== null) {
      window.clearTimeout(timer);
      timer = null;
    }
    if (!started || navigating) {
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
          state.warnChecked = true;
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

  // -- dialogs --------------------------------------------------------------------------

  var dialog = null;       // {kind, overlay, box, onEscape, restore}
  var dialogCounter = 0;
  var countdownNode = null;

  function cls(name) {
    return cfg.classPrefix + (name ? "-" + name : "");
  }

  function isOpen(kind) {
    return !!dialog && (!kind || dialog.kind === kind);
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.appendChild(document.createTextNode(text));
    }
    return node;
  }

  function formatTime(ms) {
    if (cfg.formatTime) {
      return String(cfg.formatTime(ms));
    }
    var seconds = Math.max(0, Math.ceil(ms / 1000));
    var minutes = Math.floor(seconds / 60);
    seconds %= 60;
    return minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
  }

  function injectCss() {
    var id = cls("style");
    if (!cfg.css || document.getElementById(id)) {
      return;
    }
    var p = "." + cfg.classPrefix;
    var v = "var(--session-timeout-";
    var css = [
      p + "-overlay{position:fixed;top:0;right:0;bottom:0;left:0;z-index:" + v + "z,2147483000);" +
        "display:flex;align-items:center;justify-content:center;padding:1rem;" +
        "background:" + v + "backdrop,rgba(15,23,42,.55))}",
      p + "-dialog{box-sizing:border-box;width:100%;max-width:" + v + "width,28rem);" +
        "max-height:calc(100vh - 2rem);overflow:auto;margin:auto;padding:1.5rem;" +
        "border-radius:" + v + "radius,.5rem);background:" + v + "bg,#fff);" +
        "color:" + v + "fg,#1f2937);font:" + v + "font,16px/1.5 system-ui,-apple-system," +
        "\"Segoe UI\",Roboto,\"DejaVu Sans\",sans-serif);text-align:left;" +
        "box-shadow:0 12px 40px rgba(0,0,0,.35)}",
      p + "-dialog:focus{outline:none}",
      p + "-relogin{max-width:" + v + "relogin-width,34rem)}",
      p + "-title{margin:0 0 .5rem;font-size:1.25em;font-weight:600;line-height:1.3}",
      p + "-body{margin:0 0 1.25rem}",
      p + "-countdown{font-weight:700;font-variant-numeric:tabular-nums}",
      p + "-error{margin:0 0 1rem;color:" + v + "error,#b91c1c)}",
      p + "-actions{display:flex;flex-wrap:wrap;align-items:center;justify-content:flex-end}",
      p + "-button{margin:.25rem 0 0 .5rem;padding:.5rem 1rem;font:inherit;line-height:1.25;" +
        "border:1px solid " + v + "border,#94a3b8);border-radius:.375rem;cursor:pointer;" +
        "background:" + v + "button-bg,#fff);color:" + v + "button-fg,#1f2937)}",
      p + "-primary{background:" + v + "accent,#1d4ed8);border-color:" + v + "accent,#1d4ed8);" +
        "color:" + v + "accent-fg,#fff)}",
      p + "-button:focus," + p + "-link:focus{outline:3px solid " + v + "focus,#f59e0b);" +
        "outline-offset:2px}",
      p + "-link{margin:.25rem auto 0 0;color:" + v + "accent,#1d4ed8)}",
      p + "-frame{display:block;box-sizing:border-box;width:100%;height:" + v +
        "frame-height,20rem);margin:0 0 1rem;border:1px solid " + v + "border,#94a3b8);" +
        "border-radius:.375rem;background:#fff}"
    ].join("\n");
    var style = document.createElement("style");
    style.id = id;
    style.appendChild(document.createTextNode(css));
    var head = document.head || document.getElementsByTagName("head")[0];
    // First in <head>, so the page's own rules win over these defaults.
    if (head) {
      head.insertBefore(style, head.firstChild);
    }
  }

  // spec: {kind, role, title, body: [nodes], actions: [{text, primary, onClick, link}],
  //        frame: iframe or null, onEscape, focus: node to focus first}
  function openDialog(spec) {
    var restore = null;
    if (dialog) {
      restore = dialog.restore;
      removeDialog();
    } else {
      restore = document.activeElement;
    }
    injectCss();
    dialogCounter += 1;
    var id = cls("dialog-" + dialogCounter);
    var overlay = element("div", cls("overlay"));
    var box = element("div", cls("dialog") + " " + cls(spec.kind));
    box.setAttribute("role", spec.role);
    box.setAttribute("aria-modal", "true");
    box.setAttribute("aria-labelledby", id + "-title");
    box.setAttribute("aria-describedby", id + "-body");
    box.setAttribute("tabindex", "-1");
    var title = element("h2", cls("title"), spec.title);
    title.id = id + "-title";
    box.appendChild(title);
    var body = element("p", cls("body"));
    body.id = id + "-body";
    each(spec.body, function (node) { body.appendChild(node); });
    box.appendChild(body);
    if (spec.frame) {
      box.appendChild(spec.frame);
    }
    var error = element("p", cls("error"));
    error.setAttribute("role", "status");
    error.hidden = true;
    box.appendChild(error);
    var actions = element("div", cls("actions"));
    var buttons = [];
    each(spec.actions, function (action) {
      var node;
      if (action.link) {
        node = element("a", cls("link"), action.text);
        node.href = action.link;
        node.target = "_blank";
        node.rel = "noopener";
      } else {
        node = element("button", cls("button") + (action.primary ? " " + cls("primary") : ""),
                       action.text);
        node.type = "button";
        node.setAttribute("data-action", action.name);
        node.onclick = function (event) {
          event.preventDefault();
          action.onClick();
        };
      }
      actions.appendChild(node);
      buttons.push(node);
    });
    box.appendChild(actions);
    overlay.appendChild(box);
    document.body.appendChild(overlay);
    dialog = { kind: spec.kind, overlay: overlay, box: box, error: error,
               onEscape: spec.onEscape, restore: restore };
    var first = spec.focus || buttons[0] || box;
    try {
      first.focus();
    } catch (e) {
      box.focus();
    }
    return dialog;
  }

  function removeDialog() {
    if (dialog && dialog.overlay.parentNode) {
      dialog.overlay.parentNode.removeChild(dialog.overlay);
    }
    countdownNode = null;
    dialog = null;
  }

  function closeDialog() {
    if (!dialog) {
      return;
    }
    var restore = dialog.restore;
    removeDialog();
    if (restore && restore.focus && document.documentElement.contains(restore)) {
      try {
        restore.focus();
      } catch (e) { /* an element that cannot take focus any more */ }
    }
  }

  function showError(text) {
    if (dialog) {
      dialog.error.textContent = text;
      dialog.error.hidden = false;
    }
  }

  function focusables(box) {
    var nodes = box.querySelectorAll(
      "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), " +
      "select:not([disabled]), textarea:not([disabled]), iframe, " +
      "[tabindex]:not([tabindex='-1'])");
    var result = [];
    each(nodes, function (node) {
      if (node.offsetWidth || node.offsetHeight || node.getClientRects().length) {
        result.push(node);
      }
    });
    return result;
  }

  // Tab and Shift+Tab cycle inside the dialog; Escape does the dialog's default.
  function onKeydown(event) {
    if (!dialog) {
      return;
    }
    var key = event.key || event.keyCode;
    if (key === "Escape" || key === "Esc" || key === 27) {
      event.preventDefault();
      event.stopPropagation();
      if (dialog.onEscape) {
        dialog.onEscape();
      }
      return;
    }
    if (key !== "Tab" && key !== 9) {
      return;
    }
    var nodes = focusables(dialog.box);
    if (!nodes.length) {
      event.preventDefault();
      dialog.box.focus();
      return;
    }
    var first = nodes[0];
    var last = nodes[nodes.length - 1];
    var active = document.activeElement;
    var inside = dialog.box.contains(active);
    if (event.shiftKey && (active === first || active === dialog.box || !inside)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !inside)) {
      event.preventDefault();
      first.focus();
    }
  }

  // Focus that leaves the dialog any other way (a click, a script) is brought back.
  function onFocusin(event) {
    if (dialog && !dialog.box.contains(event.target)) {
      var nodes = focusables(dialog.box);
      (nodes[0] || dialog.box).focus();
    }
  }

  function updateCountdown() {
    if (countdownNode) {
      var left = remainingMs();
      countdownNode.textContent = formatTime(left === null ? 0 : left);
    }
  }

  function templated(text, node) {
    var parts = text.split("{time}");
    var nodes = [document.createTextNode(parts[0])];
    if (parts.length > 1) {
      nodes.push(node, document.createTextNode(parts.slice(1).join("{time}")));
    }
    return nodes;
  }

  function showWarning() {
    if (state.warned || isOpen()) {
      return;
    }
    state.warned = true;
    var left = remainingMs();
    if (emit("sessiontimeout:warning", snapshot(), true).defaultPrevented) {
      return;
    }
    var counter = element("span", cls("countdown"), formatTime(left));
    counter.setAttribute("role", "timer");
    openDialog({
      kind: "warning",
      role: "alertdialog",
      title: texts.warningTitle,
      body: templated(texts.warningBody, counter),
      actions: [
        { name: "signout", text: texts.signOut, onClick: signOut },
        { name: "stay", text: texts.stay, primary: true, onClick: stay }
      ],
      onEscape: stay
    });
    countdownNode = counter;
    // The primary action takes the focus, though it comes last visually.
    var stayButton = dialog.box.querySelector("[data-action=stay]");
    if (stayButton) {
      stayButton.focus();
    }
  }

  function stay() {
    extend(function (ok) {
      if (ok) {
        if (isOpen("warning")) {
          closeDialog();
        }
      } else if (state.status === "active" && isOpen("warning")) {
        showError(texts.extendFailed);
      }
    });
  }

  function signOut() {
    if (emit("sessiontimeout:signout", {}, true).defaultPrevented) {
      return;
    }
    post({ t: "logout" });
    navigating = true;
    schedule();
    var url = cfg.logoutUrl || mount + "/logout";
    if (cfg.logoutMethod === "POST") {
      var form = document.createElement("form");
      form.method = "post";
      form.action = url;
      form.style.display = "none";
      document.body.appendChild(form);
      HTMLFormElement.prototype.submit.call(form);
    } else {
      window.location.assign(url);
    }
  }

  function showExpired() {
    openDialog({
      kind: "expired",
      role: "alertdialog",
      title: texts.expiredTitle,
      body: [document.createTextNode(
        state.reason === "logout" ? texts.signedOutBody : texts.expiredBody)],
      actions: [
        { name: "close", text: texts.close, onClick: closeDialog },
        { name: "signin", text: texts.signIn, primary: true, onClick: signInAgain }
      ],
      onEscape: closeDialog
    });
    var signIn = dialog.box.querySelector("[data-action=signin]");
    if (signIn) {
      signIn.focus();
    }
  }

  // A form with typed data would lose it on a navigation: then the dialog, whatever the mode.
  var NOT_TYPED = /^(hidden|password|submit|button|reset|image|output)$/;

  function hasUnsavedForm() {
    var forms = document.forms;
    for (var i = 0; i < forms.length; i++) {
      if ((forms[i].getAttribute("method") || "").toLowerCase() !== "post") {
        continue;  // a GET form's data travels in came_from
      }
      var fields = forms[i].elements;
      for (var j = 0; j < fields.length; j++) {
        var field = fields[j];
        var type = (field.type || "").toLowerCase();
        if (type === "checkbox" || type === "radio") {
          if (field.checked !== field.defaultChecked) {
            return true;
          }
        } else if (field.options) {
          for (var k = 0; k < field.options.length; k++) {
            if (field.options[k].selected !== field.options[k].defaultSelected) {
              return true;
            }
          }
        } else if ("defaultValue" in field && !NOT_TYPED.test(type) &&
                   field.value !== field.defaultValue) {
          return true;
        }
      }
    }
    return false;
  }

  function signInAgain() {
    resolveLoginUrl(function (url) {
      if (!url) {
        return closeDialog();  // signed in meanwhile
      }
      if (cfg.mode === "dialog" || hasUnsavedForm()) {
        openRelogin(url);
      } else {
        goToLogin(url);
      }
    });
  }

  function goToLogin(url) {
    if (navigating) {
      return;
    }
    navigating = true;
    schedule();
    window.location.assign(url);
  }

  // -- re-login inside the page ---------------------------------------------------------

  function openRelogin(loginUrl) {
    if (isOpen("relogin")) {
      return;
    }
    emit("sessiontimeout:relogin", { loginUrl: loginUrl });
    // After signing in, the login page sends the frame on to came_from (this page, where
    // this script stays inert). Each page the frame loads is a cue to ask the server.
    var frame = element("iframe", cls("frame"));
    frame.setAttribute(FRAME_ATTRIBUTE, "");
    frame.title = texts.frameTitle;
    frame.src = loginUrl;
    frame.onload = function () {
      checkSignedIn();
      focusFrameField(frame);
    };
    openDialog({
      kind: "relogin",
      role: "dialog",
      title: texts.reloginTitle,
      body: [document.createTextNode(texts.reloginBody)],
      frame: frame,
      actions: [
        { name: "newtab", text: texts.newTab, link: loginUrl },
        { name: "cancel", text: texts.cancel, onClick: cancelRelogin }
      ],
      onEscape: cancelRelogin,
      focus: frame
    });
  }

  function focusFrameField(frame) {
    try {
      var doc = frame.contentWindow.document;
      var field = doc.querySelector("[autofocus]") ||
        doc.querySelector("input:not([type=hidden]):not([disabled]), select, textarea");
      if (field && isOpen("relogin") && document.activeElement === frame) {
        field.focus();
      }
    } catch (e) { /* not same-origin: the user clicks into it */ }
  }

  function checkSignedIn() {
    if (isOpen("relogin")) {
      checkStatus(null);  // learn() resumes when it says signed in
    }
  }

  function resume() {
    if (isOpen("relogin") || isOpen("expired")) {
      closeDialog();
    }
    navigating = false;
    emit("sessiontimeout:signedin", snapshot());
    post({ t: "signedin" });
    var items = queue.splice(0);
    each(items, function (item) { item.replay(); });
    if (items.length) {
      emit("sessiontimeout:replayed", { count: items.length });
    }
    if (heldForm) {
      resubmit();
    }
  }

  function cancelRelogin() {
    closeDialog();
    heldForm = null;
    var items = queue.splice(0);
    each(items, function (item) { item.fail(); });
  }

  // An AJAX answer says the session is gone. pending: {replay, fail} for a request that
  // can be held and sent again, or null.
  function onExpiryAnswer(expiry, seq, pending) {
    if (seq < state.authSeq && state.status === "active") {
      // Sent before a newer request found the session signed in (a sign-in in between).
      return pending ? pending.replay() : undefined;
    }
    // Nothing newer says signed in: the session is gone, whatever older news says.
    state.seq = Math.max(state.seq, seq);
    if (expiry.loginUrl) {
      state.loginUrl = expiry.loginUrl;
    }
    lost(expiry.reason || expiry.error, { quiet: true });
    var event = emit("sessiontimeout:unauthorized", {
      error: expiry.error, reason: expiry.reason, loginUrl: expiry.loginUrl || state.loginUrl
    }, true);
    if (event.defaultPrevented) {
      return pending ? pending.fail() : undefined;
    }
    if (pending) {
      queue.push(pending);
    }
    resolveLoginUrl(function (url) {
      if (!url) {
        return;  // signed in meanwhile: learn() has replayed the queue
      }
      if (cfg.mode === "dialog") {
        openRelogin(url);
      } else {
        goToLogin(url);
      }
    });
  }

  // -- fetch ----------------------------------------------------------------------------

  var realFetch = null;

  function abortError(signal) {
    if (signal && signal.reason !== undefined) {
      return signal.reason;
    }
    try {
      return new window.DOMException("The operation was aborted.", "AbortError");
    } catch (e) {
      var error = new Error("The operation was aborted.");
      error.name = "AbortError";
      return error;
    }
  }

  function wrappedFetch(input, init) {
    if (!cfg.fetch || insideOurFrame) {
      return realFetch.apply(window, arguments);
    }
    var spare = null;
    var replayable = true;
    var url = input && typeof input === "object" && "url" in input ? input.url : String(input);
    try {
      if (window.Request && input instanceof window.Request) {
        if (input.bodyUsed) {
          replayable = false;
        } else {
          spare = input.clone();
        }
      }
    } catch (e) {
      replayable = false;
    }
    if (init && init.body && window.ReadableStream && init.body instanceof window.ReadableStream) {
      replayable = false;  // a stream is read once
    }
    var signal = (init && init.signal) || (spare && spare.signal) || null;
    var seq = nextSeq();
    var sent = mark();
    var args = arguments;
    return realFetch.apply(window, args).then(function (response) {
      if (!response || response.type !== "basic" || !sameOrigin(response.url || url)) {
        return response;
      }
      var expiresIn = response.headers.get("Session-Expires-In");
      var seconds = headerSeconds(expiresIn);
      if (seconds !== null) {
        learn({ seq: seq, mark: sent, authenticated: true, expiresIn: seconds });
        return response;
      }
      if (!mayBeExpiry(response.status, response.headers.get("Content-Type"), expiresIn,
                       response.headers.get("Content-Length"))) {
        return response;
      }
      return response.clone().text().then(function (text) {
        var expiry = expiryFromText(response.status, text);
        if (!expiry) {
          return response;
        }
        if (!replayable) {
          onExpiryAnswer(expiry, seq, null);
          return response;
        }
        return new Promise(function (resolve, reject) {
          var item = {
            replay: function () {
              var again = spare;
              try {
                spare = spare ? spare.clone() : null;
              } catch (e) {
                spare = null;
              }
              detach();
              resolve(wrappedFetch(again || args[0], init));
            },
            fail: function () {
              detach();
              resolve(response);
            }
          };
          function onAbort() {
            var at = queue.indexOf(item);
            if (at >= 0) {
              queue.splice(at, 1);
            }
            reject(abortError(signal));
          }
          function detach() {
            if (signal && signal.removeEventListener) {
              signal.removeEventListener("abort", onAbort);
            }
          }
          if (signal && signal.addEventListener) {
            signal.addEventListener("abort", onAbort);
          }
          onExpiryAnswer(expiry, seq, item);
        });
      }, function () {
        return response;
      });
    });
  }

  function installFetch() {
    if (window.fetch && window.fetch !== wrappedFetch && !realFetch) {
      realFetch = window.fetch;
      window.fetch = wrappedFetch;
    }
  }

  // -- XMLHttpRequest -------------------------------------------------------------------
  // A stand-in that drives a real XMLHttpRequest. An answer that may be an expiry answer
  // (JSON, an error status or a 200 without Session-Expires-In) is kept back from the
  // page from its headers on: the page sees readyState 1 until the body says what it is.
  // An expiry answer is then held and the same request sent again after sign-in, and
  // the page's listeners get the new answer as if it were the only one.

  var XHR_EVENTS = ["readystatechange", "loadstart", "progress", "abort", "error", "load",
                    "timeout", "loadend"];
  var UPLOAD_EVENTS = ["loadstart", "progress", "abort", "error", "load", "timeout", "loadend"];

  function makeEvent(snap, target) {
    var event;
    try {
      event = snap.progress && window.ProgressEvent
        ? new window.ProgressEvent(snap.type, { lengthComputable: snap.lengthComputable,
                                                loaded: snap.loaded, total: snap.total })
        : new window.Event(snap.type);
      Object.defineProperty(event, "target", { value: target });
      Object.defineProperty(event, "currentTarget", { value: target });
      Object.defineProperty(event, "srcElement", { value: target });
    } catch (e) {
      event = { type: snap.type, target: target, currentTarget: target, srcElement: target,
                lengthComputable: snap.lengthComputable, loaded: snap.loaded,
                total: snap.total, bubbles: false, cancelable: false,
                preventDefault: function () {}, stopPropagation: function () {},
                stopImmediatePropagation: function () {} };
    }
    return event;
  }

  function snapOf(event, readyState) {
    return { type: event.type, state: readyState,
             progress: "loaded" in event, lengthComputable: !!event.lengthComputable,
             loaded: event.loaded || 0, total: event.total || 0 };
  }

  function dispatchTo(target, listeners, snap) {
    var event = makeEvent(snap, target);
    var handler = target["on" + snap.type];
    var list = (listeners[snap.type] || []).slice();
    if (typeof handler === "function") {
      try {
        handler.call(target, event);
      } catch (e) {
        rethrowLater(e);
      }
    }
    each(list, function (listener) {
      try {
        if (typeof listener === "function") {
          listener.call(target, event);
        } else if (listener && typeof listener.handleEvent === "function") {
          listener.handleEvent(event);
        }
      } catch (e) {
        rethrowLater(e);
      }
    });
  }

  function addListener(listeners, type, listener) {
    if (!listener) {
      return;
    }
    var list = listeners[type] || (listeners[type] = []);
    if (list.indexOf(listener) < 0) {
      list.push(listener);
    }
  }

  function removeListener(listeners, type, listener) {
    var list = listeners[type] || [];
    var at = list.indexOf(listener);
    if (at >= 0) {
      list.splice(at, 1);
    }
  }

  function UploadProxy() {
    this._listeners = {};
    var self = this;
    each(UPLOAD_EVENTS, function (type) { self["on" + type] = null; });
  }

  UploadProxy.prototype.addEventListener = function (type, listener) {
    addListener(this._listeners, type, listener);
  };
  UploadProxy.prototype.removeEventListener = function (type, listener) {
    removeListener(this._listeners, type, listener);
  };
  UploadProxy.prototype.dispatchEvent = function (event) {
    dispatchTo(this, this._listeners, snapOf(event, 0));
    return true;
  };
  UploadProxy.prototype._wanted = function () {
    for (var i = 0; i < UPLOAD_EVENTS.length; i++) {
      var type = UPLOAD_EVENTS[i];
      if (this["on" + type] || (this._listeners[type] && this._listeners[type].length)) {
        return true;
      }
    }
    return false;
  };
  // Upload listeners change a cross-origin request (a preflight), so the real upload
  // object only gets them when the page registered some.
  UploadProxy.prototype._attach = function (realUpload) {
    if (!realUpload || !this._wanted()) {
      return;
    }
    var self = this;
    each(UPLOAD_EVENTS, function (type) {
      realUpload.addEventListener(type, function (event) {
        dispatchTo(self, self._listeners, snapOf(event, 0));
      });
    });
  };

  function SessionXHR() {
    var self = this;
    this._listeners = {};
    this._settings = {};
    this._reset();
    each(XHR_EVENTS, function (type) { self["on" + type] = null; });
    this.upload = new UploadProxy();
    this._use(new RealXHR());
  }

  SessionXHR.UNSENT = SessionXHR.prototype.UNSENT = 0;
  SessionXHR.OPENED = SessionXHR.prototype.OPENED = 1;
  SessionXHR.HEADERS_RECEIVED = SessionXHR.prototype.HEADERS_RECEIVED = 2;
  SessionXHR.LOADING = SessionXHR.prototype.LOADING = 3;
  SessionXHR.DONE = SessionXHR.prototype.DONE = 4;

  SessionXHR.prototype._reset = function () {
    this._openArgs = null;
    this._headers = [];
    this._mime = null;
    this._body = null;
    this._sync = false;
    this._same = false;
    this._seq = 0;
    this._sent = null;
    this._buffer = null;     // events kept back while the answer is undecided or held
    this._held = false;      // ... and the answer was an expiry answer
    this._view = null;       // the readyState the page sees while events are kept back
    this._fake = null;       // {readyState} after abort() of a held request
    this._replaying = false;
    this._learned = false;
  };

  SessionXHR.prototype._use = function (real) {
    var self = this;
    this._x = real;
    each(XHR_EVENTS, function (type) {
      real.addEventListener(type, function (event) { self._onReal(real, event); });
    });
  };

  SessionXHR.prototype._active = function () {
    return cfg.xhr && !this._sync && this._same && !insideOurFrame;
  };

  SessionXHR.prototype._onReal = function (real, event) {
    if (real !== this._x || this._fake) {
      return;
    }
    var readyState = real.readyState;
    var snap = snapOf(event, readyState);
    if (this._replaying && (event.type === "loadstart" ||
                            (event.type === "readystatechange" && readyState === 1))) {
      return;  // the page saw these when the request was first sent
    }
    if (this._buffer) {
      this._buffer.push(snap);
      if (event.type === "readystatechange" && readyState === 4 && !this._held) {
        this._decide();
      }
      return;
    }
    if (readyState >= 2 && this._same && !this._learned) {
      this._learned = true;
      var seconds = headerSeconds(readHeader(real, "Session-Expires-In"));
      if (seconds !== null) {
        learn({ seq: this._seq, mark: this._sent, authenticated: true, expiresIn: seconds });
      } else if (event.type === "readystatechange" && this._active() &&
                 mayBeExpiry(real.status, readHeader(real, "Content-Type"), null,
                             readHeader(real, "Content-Length"))) {
        this._buffer = [snap];
        this._view = 1;
        if (readyState === 4) {
          this._decide();
        }
        return;
      }
    }
    if (readyState >= 2) {
      this._view = null;
    }
    this._emit(snap);
    if (this._sync && event.type === "readystatechange" && readyState === 4 && this._same &&
        cfg.xhr) {
      var expiry = expiryFromXhr(real);
      if (expiry) {
        onExpiryAnswer(expiry, this._seq, null);  // a synchronous request cannot wait
      }
    }
  };

  SessionXHR.prototype._emit = function (snap) {
    dispatchTo(this, this._listeners, snap);
  };

  SessionXHR.prototype._flush = function () {
    var buffer = this._buffer || [];
    this._buffer = null;
    this._held = false;
    for (var i = 0; i < buffer.length; i++) {
      this._view = buffer[i].state;
      this._emit(buffer[i]);
    }
    this._view = null;
  };

  SessionXHR.prototype._decide = function () {
    var expiry = expiryFromXhr(this._x);
    if (!expiry) {
      return this._flush();
    }
    var self = this;
    this._held = true;  // load and loadend, still to come in this task, are kept too
    onExpiryAnswer(expiry, this._seq, {
      owner: this,
      replay: function () { self._replay(); },
      fail: function () { self._flush(); }
    });
  };

  SessionXHR.prototype._replay = function () {
    if (this._fake || !this._openArgs) {
      return;
    }
    var real = new RealXHR();
    this._buffer = null;
    this._held = false;
    this._view = 1;
    this._replaying = true;
    this._learned = false;
    this._seq = nextSeq();
    this._sent = mark();
    this._use(real);
    real.open.apply(real, this._openArgs);
    each(this._headers, function (pair) { real.setRequestHeader(pair[0], pair[1]); });
    if (this._mime !== null) {
      real.overrideMimeType(this._mime);
    }
    for (var name in this._settings) {
      real[name] = this._settings[name];
    }
    this.upload._attach(real.upload);
    real.send(this._body);
  };

  SessionXHR.prototype.open = function (method, url) {
    this._x.open.apply(this._x, arguments);
    this._reset();
    this._openArgs = Array.prototype.slice.call(arguments);
    this._sync = arguments.length > 2 && !arguments[2];
    this._same = sameOrigin(url);
  };

  SessionXHR.prototype.setRequestHeader = function (name, value) {
    this._x.setRequestHeader(name, value);
    this._headers.push([name, value]);
  };

  SessionXHR.prototype.overrideMimeType = function (mime) {
    this._x.overrideMimeType(mime);
    this._mime = mime;
  };

  SessionXHR.prototype.send = function (body) {
    this._body = body === undefined ? null : body;
    this._seq = nextSeq();
    this._sent = mark();
    this.upload._attach(this._x.upload);
    this._x.send(this._body);
  };

  SessionXHR.prototype.abort = function () {
    if (!this._held) {
      // Events kept back while undecided are dropped: the page asked for no more.
      this._buffer = null;
      this._view = null;
      return this._x.abort();
    }
    // The real request is over; the page's is not: end it the way abort() would.
    for (var i = 0; i < queue.length; i++) {
      if (queue[i].owner === this) {
        queue.splice(i, 1);
        break;
      }
    }
    this._buffer = null;
    this._held = false;
    this._fake = { readyState: 4 };
    this._emit({ type: "readystatechange", state: 4 });
    this._emit({ type: "abort", state: 4, progress: true });
    this._emit({ type: "loadend", state: 4, progress: true });
    this._fake.readyState = 0;
  };

  SessionXHR.prototype._early = function () {
    return !!this._fake || (this._view !== null && this._view < 2);
  };

  SessionXHR.prototype.getResponseHeader = function (name) {
    return this._early() ? null : this._x.getResponseHeader(name);
  };

  SessionXHR.prototype.getAllResponseHeaders = function () {
    return this._early() ? "" : this._x.getAllResponseHeaders();
  };

  SessionXHR.prototype.addEventListener = function (type, listener) {
    addListener(this._listeners, type, listener);
  };

  SessionXHR.prototype.removeEventListener = function (type, listener) {
    removeListener(this._listeners, type, listener);
  };

  SessionXHR.prototype.dispatchEvent = function (event) {
    this._emit(snapOf(event, this.readyState));
    return true;
  };

  function readOnly(name, early) {
    Object.defineProperty(SessionXHR.prototype, name, {
      configurable: true,
      enumerable: true,
      get: function () {
        return this._early() ? early.call(this) : this._x[name];
      }
    });
  }

  Object.defineProperty(SessionXHR.prototype, "readyState", {
    configurable: true,
    enumerable: true,
    get: function () {
      if (this._fake) {
        return this._fake.readyState;
      }
      return this._view !== null ? this._view : this._x.readyState;
    }
  });
  readOnly("status", function () { return 0; });
  readOnly("statusText", function () { return ""; });
  readOnly("responseURL", function () { return ""; });
  readOnly("responseXML", function () { return null; });
  readOnly("responseText", function () { return ""; });
  readOnly("response", function () {
    var type = this._x.responseType;
    return !type || type === "text" ? "" : null;
  });

  each(["responseType", "timeout", "withCredentials"], function (name) {
    Object.defineProperty(SessionXHR.prototype, name, {
      configurable: true,
      enumerable: true,
      get: function () { return this._x[name]; },
      set: function (value) {
        this._x[name] = value;
        this._settings[name] = value;
      }
    });
  });

  function installXhr() {
    if (RealXHR && window.XMLHttpRequest === RealXHR) {
      window.XMLHttpRequest = SessionXHR;
    }
  }

  // -- htmx -----------------------------------------------------------------------------
  // With the XHR wrapper on, htmx never sees an expiry answer (it is held, then replayed).
  // Without it, these keep htmx from following HX-Redirect or swapping the answer in.

  function onHtmxLoad(event) {
    var detail = event.detail || {};
    var xhr = detail.xhr;
    if (!cfg.htmx || !xhr || xhr instanceof SessionXHR) {
      return;
    }
    var expiry = expiryFromXhr(xhr);
    if (!expiry) {
      return;
    }
    event.preventDefault();
    var htmx = window.htmx;
    var config = detail.requestConfig || {};
    var path = detail.pathInfo && detail.pathInfo.requestPath;
    onExpiryAnswer(expiry, nextSeq(), htmx && path ? {
      replay: function () {
        htmx.ajax(config.verb || "get", path, { source: detail.elt, target: detail.target });
      },
      fail: function () {}
    } : null);
  }

  function onHtmxSwap(event) {
    var detail = event.detail || {};
    if (cfg.htmx && detail.xhr && !(detail.xhr instanceof SessionXHR) &&
        expiryFromXhr(detail.xhr)) {
      detail.shouldSwap = false;
    }
  }

  // -- forms ----------------------------------------------------------------------------

  var resubmitting = null;

  function knownEnded() {
    if (state.status === "expired") {
      return true;
    }
    var left = remainingMs();
    return state.status === "active" && left !== null && left <= 0;
  }

  function onSubmit(event) {
    var form = event.target;
    if (!cfg.forms || event.defaultPrevented || !form || form.nodeName !== "FORM") {
      return;
    }
    if (form === resubmitting) {
      return;
    }
    var submitter = event.submitter || null;
    var method = ((submitter && submitter.getAttribute("formmethod")) ||
                  form.getAttribute("method") || "get").toLowerCase();
    var action = (submitter && submitter.getAttribute("formaction")) ||
                 form.getAttribute("action") || window.location.href;
    // A GET form keeps what was typed in its URL, which came_from carries through sign-in.
    if (method !== "post" || !sameOrigin(absolute(action)) || !knownEnded() ||
        form.hasAttribute("data-session-timeout-ignore")) {
      return;
    }
    event.preventDefault();
    heldForm = { form: form, submitter: submitter };
    if (state.status === "expired") {
      return holdForm();
    }
    checkStatus(function () {
      if (state.status === "expired" || state.status === "anonymous") {
        holdForm();
      } else if (heldForm && state.status === "active") {
        resubmit();
      }
    });
  }

  function holdForm() {
    emit("sessiontimeout:formheld", { form: heldForm && heldForm.form });
    resolveLoginUrl(function (url) {
      if (url) {
        openRelogin(url);
      }
    });
  }

  function resubmit() {
    var held = heldForm;
    heldForm = null;
    if (!held || !document.documentElement.contains(held.form)) {
      return;
    }
    // The app may need to refresh a per-session CSRF token in the form first.
    if (emit("sessiontimeout:beforeresubmit", { form: held.form }, true).defaultPrevented) {
      return;
    }
    resubmitting = held.form;
    try {
      if (held.form.requestSubmit) {
        if (held.submitter) {
          held.form.requestSubmit(held.submitter);
        } else {
          held.form.requestSubmit();
        }
        return;
      }
      if (held.submitter && held.submitter.name) {
        var extra = document.createElement("input");
        extra.type = "hidden";
        extra.name = held.submitter.name;
        extra.value = held.submitter.value;
        held.form.appendChild(extra);
      }
      HTMLFormElement.prototype.submit.call(held.form);
    } finally {
      resubmitting = null;
    }
  }

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
        state.seq = nextSeq();
        state.base = mark();
        state.remainingMs = message.remaining;
        state.warnChecked = state.warned = false;
        emit("sessiontimeout:update", snapshot());
        schedule();
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

  // -- start ----------------------------------------------------------------------------

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
    } else if (channel) {
      channel.close();
      channel = null;
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

  cfg = copy({}, DEFAULTS);
  texts = copy({}, TEXTS);
  var script = ownScript();
  if (script && script.src) {
    anchor.href = script.src;
    var path = anchor.pathname.charAt(0) === "/" ? anchor.pathname : "/" + anchor.pathname;
    if (/\/client\.js$/.test(path)) {
      endpoint = path.replace(/\/client\.js$/, "");
    }
  }
  apply(attributeOptions(script));
  if (window.SessionTimeoutConfig) {
    apply(window.SessionTimeoutConfig);
  }
  settle();
  window.SessionTimeout = api;

  if (insideOurFrame) {
    return;
  }
  started = true;
  install();
  checkStatus(null);
}(typeof window !== "undefined" ? window : null,
  typeof document !== "undefined" ? document : null));
