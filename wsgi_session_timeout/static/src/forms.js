
  // -- forms ----------------------------------------------------------------------------

  var resubmitting = null;
  var heldForm = null;     // {form, submitter}: a submission held until sign-in
  var confirming = null;   // {form, submitter}: a submission waiting for the status check

  // News about the session older than this is confirmed with the status endpoint before
  // a form is sent: the session may have ended where this page cannot see it (a sign-out
  // in another browser, a revoked session, a store restart, a server clock running ahead).
  var FORM_CHECK_MS = 5000;

  function hasHeldForm() {
    return !!heldForm;
  }

  function dropHeldForm() {
    heldForm = null;
  }

  function onSubmit(event) {
    var form = event.target;
    if (!cfg.forms || event.defaultPrevented || !form || form.nodeName !== "FORM") {
      return;
    }
    if (form === resubmitting) {
      return;
    }
    if (confirming && confirming.form === form) {
      event.preventDefault();  // pressed again while the status is being checked
      return;
    }
    var submitter = event.submitter || null;
    var method = ((submitter && submitter.getAttribute("formmethod")) ||
                  form.getAttribute("method") || "get").toLowerCase();
    var action = (submitter && submitter.getAttribute("formaction")) ||
                 form.getAttribute("action") || window.location.href;
    // A GET form keeps what was typed in its URL, which came_from carries through sign-in.
    if (method !== "post" || !sameOrigin(absolute(action)) ||
        form.hasAttribute("data-session-timeout-ignore")) {
      return;
    }
    var plan = formPlan(state.status, remainingMs(), knowledgeAgeMs(), FORM_CHECK_MS);
    if (plan === "send") {
      return;
    }
    event.preventDefault();
    var pending = { form: form, submitter: submitter };
    if (plan === "hold") {
      heldForm = pending;
      return holdForm();
    }
    confirming = pending;
    checkStatus(function () {
      confirming = null;
      if (state.status === "expired" || state.status === "anonymous") {
        heldForm = pending;
        holdForm();
      } else if (document.documentElement.contains(pending.form)) {
        // Signed in (or the server could not be asked: it answers the form itself).
        sendForm(pending);
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
    sendForm(held);
  }

  // Submit a form this script stopped, as the user's own submit would have: with the
  // button they pressed, and through the page's own submit listeners.
  function sendForm(held) {
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
