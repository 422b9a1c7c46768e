
  // -- forms ----------------------------------------------------------------------------

  var resubmitting = null;
  var heldForm = null;     // {form, submitter}: a submission held until sign-in

  function hasHeldForm() {
    return !!heldForm;
  }

  function dropHeldForm() {
    heldForm = null;
  }

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
