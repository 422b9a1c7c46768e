
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
      var expiresIn = response.headers.get(NAMES.EXPIRES_IN_HEADER);
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
            unhold(item);
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
