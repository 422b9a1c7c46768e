
  // -- the page: URLs resolved against it, events dispatched on it ---------------------

  var anchor = document.createElement("a");

  function absolute(url) {
    anchor.href = url;
    return anchor.href;
  }

  function pathOf(url) {
    anchor.href = url;
    return anchor.pathname;
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
