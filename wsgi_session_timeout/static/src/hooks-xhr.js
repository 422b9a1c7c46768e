
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
      var seconds = headerSeconds(readHeader(real, NAMES.EXPIRES_IN_HEADER));
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
    unhold(this);
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
