
  // -- signing in again -----------------------------------------------------------------

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
    if (state.navigating) {
      return;
    }
    navigatingAway(true);
    window.location.assign(url);
  }

  // -- re-login inside the page ---------------------------------------------------------

  // Requests that met the ended session, held until the user has signed in again:
  // [{replay, fail, owner}] (owner: the SessionXHR that sent it, if one did).
  var queue = [];

  function hold(item) {
    queue.push(item);
  }

  // Forget a held request (the page aborted it): the item itself or its owner.
  function unhold(itemOrOwner) {
    for (var i = 0; i < queue.length; i++) {
      if (queue[i] === itemOrOwner || queue[i].owner === itemOrOwner) {
        queue.splice(i, 1);
        return;
      }
    }
  }

  function heldCount() {
    return queue.length;
  }

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
      body: endedText(state.reason, texts)
        ? [element("p", cls("reason"), endedText(state.reason, texts)),
           document.createTextNode(texts.reloginBody)]
        : [document.createTextNode(texts.reloginBody)],
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
    navigatingAway(false);
    emit("sessiontimeout:signedin", snapshot());
    post({ t: "signedin" });
    var items = queue.splice(0);
    each(items, function (item) { item.replay(); });
    if (items.length) {
      emit("sessiontimeout:replayed", { count: items.length });
    }
    if (hasHeldForm()) {
      resubmit();
    }
  }

  function cancelRelogin() {
    closeDialog();
    dropHeldForm();
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
    overtakenBy(seq, expiry.loginUrl);
    lost(expiry.reason || expiry.error, { quiet: true });
    var event = emit("sessiontimeout:unauthorized", {
      error: expiry.error, reason: expiry.reason, loginUrl: expiry.loginUrl || state.loginUrl
    }, true);
    if (event.defaultPrevented) {
      return pending ? pending.fail() : undefined;
    }
    if (pending) {
      hold(pending);
    }
    if (cfg.mode !== "dialog" && endedText(expiry.reason, texts)) {
      // Ended on purpose (another device, an administrator, a newer sign-in): the user
      // is told why before going to the login page, not sent there without a word.
      if (!isOpen("expired")) {
        showExpired();
      }
      return;
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
