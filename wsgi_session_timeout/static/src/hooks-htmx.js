
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
