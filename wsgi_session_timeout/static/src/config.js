
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
    revokedBody: "Your session was ended from another device or by an administrator. Sign in again to continue.",
    replacedBody: "You were signed out because you signed in elsewhere. Sign in again to continue.",
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
    forms: true,             // POST forms: checked when news is stale, held after expiry
    tabs: true,              // agree with the other tabs (BroadcastChannel, localStorage)
    css: true,               // inject the default CSS once
    classPrefix: "session-timeout",
    formatTime: null,        // function (milliseconds) -> text; JS API only
    texts: null
  };

  var cfg = copy({}, DEFAULTS);
  var texts = copy({}, TEXTS);
  var scriptEndpoint = null;   // <mount><endpoint_prefix>, read from this script's URL
  var endpoint = NAMES.ENDPOINT_PREFIX;
  var mount = "";

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
      if (!hasOwn(options, name)) {
        continue;
      }
      if (!hasOwn(DEFAULTS, name)) {
        throw new Error("SessionTimeout: unknown option " + name);
      }
      if (name === "texts") {
        for (var key in options.texts) {
          if (!hasOwn(TEXTS, key)) {
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
      if (isScriptUrl(scripts[i].src)) {
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

  // Where the endpoints are, and the mount beside which the default login and logout URLs
  // are: the middleware serves this script at <mount><endpoint_prefix>/client.js, and
  // NAMES.ENDPOINT_PREFIX is the endpoint_prefix it was served under.
  function settle() {
    endpoint = withoutTrailingSlashes(cfg.endpoint || scriptEndpoint ||
                                      NAMES.ENDPOINT_PREFIX);
    mount = mountOf(endpoint, NAMES.ENDPOINT_PREFIX);
  }

  // The configuration at start-up: the script tag's URL and data- attributes, then
  // window.SessionTimeoutConfig.
  function configureFromPage() {
    var script = ownScript();
    if (script && script.src) {
      scriptEndpoint = endpointOfScriptPath(pathOf(script.src));
    }
    apply(attributeOptions(script));
    if (window.SessionTimeoutConfig) {
      apply(window.SessionTimeoutConfig);
    }
    settle();
  }
