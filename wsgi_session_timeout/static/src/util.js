
  // -- pure helpers ---------------------------------------------------------------------
  // Plain data in, plain data out: no DOM, no timers, no state (tests/js runs them in Node).

  function hasOwn(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  function copy(target, source) {
    for (var key in source) {
      if (hasOwn(source, key)) {
        target[key] = source[key];
      }
    }
    return target;
  }

  function each(list, fn) {
    for (var i = 0; i < list.length; i++) {
      fn(list[i], i);
    }
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

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  function endsWith(text, tail) {
    return text.length >= tail.length && text.slice(text.length - tail.length) === tail;
  }

  // -- URLs ------------------------------------------------------------------------------

  function withParam(url, name, value) {
    var hash = "";
    var at = url.indexOf("#");
    if (at >= 0) {
      hash = url.slice(at);
      url = url.slice(0, at);
    }
    var pair = encodeURIComponent(name) + "=" + encodeURIComponent(value);
    var pattern = new RegExp("([?&])" + escapeRegExp(name) + "=[^&]*");
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

  function withoutTrailingSlashes(path) {
    return String(path).replace(/\/+$/, "");
  }

  // True for the URL of this script: <mount><endpoint_prefix>/client.js.
  function isScriptUrl(url) {
    return new RegExp("/" + escapeRegExp(NAMES.CLIENT) + "(?:[?#]|$)").test(url || "");
  }

  // The endpoints' path (<mount><endpoint_prefix>) from the path this script was loaded
  // from, or null when it was loaded from somewhere else.
  function endpointOfScriptPath(path) {
    path = String(path || "");
    path = path.charAt(0) === "/" ? path : "/" + path;
    var tail = "/" + NAMES.CLIENT;
    return endsWith(path, tail) ? path.slice(0, path.length - tail.length) : null;
  }

  // The application's mount point (its SCRIPT_NAME), where the default login and logout
  // URLs are: the endpoints' path without the endpoint_prefix the script is served under.
  // A prefix always starts with "/", so a match is a whole number of path segments.
  function mountOf(endpointPath, prefix) {
    var path = withoutTrailingSlashes(endpointPath);
    prefix = withoutTrailingSlashes(prefix || "");
    if (prefix && endsWith(path, prefix)) {
      return path.slice(0, path.length - prefix.length);
    }
    return "";  // an endpoint configured elsewhere: the site's root
  }

  // -- what the server said --------------------------------------------------------------

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

  function isExpiryError(error) {
    return error === NAMES.SESSION_EXPIRED || error === NAMES.LOGIN_REQUIRED;
  }

  function expiryFromDocument(status, doc) {
    if (!doc || typeof doc !== "object" || !isExpiryError(doc.error)) {
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

  // True for a session ended before its time: from another device, by an administrator
  // (revoked), or by a newer sign-in of the same user (replaced).
  function endedOnPurpose(reason) {
    return reason === NAMES.REVOKED || reason === NAMES.REPLACED;
  }

  // The sentence that says why a session was ended on purpose, or null for any other
  // reason.
  function endedText(reason, texts) {
    if (reason === NAMES.REPLACED) {
      return texts.replacedBody;
    }
    if (reason === NAMES.REVOKED) {
      return texts.revokedBody;
    }
    return null;
  }

  // The body of the "session ended" notice for reason.
  function expiredText(reason, texts) {
    return endedText(reason, texts) ||
      (reason === "logout" ? texts.signedOutBody : texts.expiredBody);
  }

  function expiryFromText(status, text) {
    try {
      return expiryFromDocument(status, JSON.parse(text));
    } catch (e) {
      return null;
    }
  }

  function expiryFromAuthenticate(header) {
    var match = /error="([^"]*)"/.exec(header || "");
    return match && isExpiryError(match[1])
      ? { error: match[1], reason: null, loginUrl: null } : null;
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
    if (!mayBeExpiry(status, type, readHeader(xhr, NAMES.EXPIRES_IN_HEADER),
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

  // -- status requests --------------------------------------------------------------------
  // waiters: [{callback, reason, late}], in the order they asked.

  // What a signed-out answer means: the reason of the newest caller that gave one.
  function newestReason(waiters) {
    for (var i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i].reason) {
        return waiters[i].reason;
      }
    }
    return null;
  }

  // The callers that brought news after the request was sent.
  function lateNews(waiters) {
    var late = [];
    each(waiters, function (waiter) {
      if (waiter.late && waiter.reason) {
        late.push(waiter);
      }
    });
    return late;
  }

  // -- forms -----------------------------------------------------------------------------

  // What to do when a same-origin POST form is submitted: "send" it, "hold" it until the
  // user has signed in again, or "check" the status first. status: what the page knows
  // ("unknown", "anonymous", "active", "expired"); leftMs: the countdown (null: no
  // deadline); ageMs: how old that knowledge is (null: none); freshMs: the age up to
  // which it is trusted without asking.
  function formPlan(status, leftMs, ageMs, freshMs) {
    if (status === "expired") {
      return "hold";
    }
    if (status !== "active") {
      return "send";  // never signed in here (a sign-in form), or not known yet
    }
    if ((leftMs !== null && leftMs <= 0) || ageMs === null || ageMs > freshMs) {
      return "check";
    }
    return "send";
  }

  // -- time ------------------------------------------------------------------------------

  // The default countdown text: minutes and seconds, rounded up ("1:05", "0:00").
  function clockText(ms) {
    var seconds = Math.max(0, Math.ceil(ms / 1000));
    var minutes = Math.floor(seconds / 60);
    seconds %= 60;
    return minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
  }
