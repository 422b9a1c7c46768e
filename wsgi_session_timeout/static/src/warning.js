
  // -- the warning, sign-out, and the notice that the session ended -----------------------

  function showWarning() {
    if (state.warned || isOpen()) {
      return;
    }
    warningShown();
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
      onEscape: stay,
      countdown: counter
    });
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
    navigatingAway(true);
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
      body: [document.createTextNode(expiredText(state.reason, texts))],
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
