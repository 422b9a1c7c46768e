
  // -- dialogs --------------------------------------------------------------------------

  var dialog = null;       // {kind, overlay, box, onEscape, restore}
  var dialogCounter = 0;
  var countdownNode = null;

  function cls(name) {
    return cfg.classPrefix + (name ? "-" + name : "");
  }

  function isOpen(kind) {
    return !!dialog && (!kind || dialog.kind === kind);
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.appendChild(document.createTextNode(text));
    }
    return node;
  }

  function formatTime(ms) {
    if (cfg.formatTime) {
      return String(cfg.formatTime(ms));
    }
    return clockText(ms);
  }

  function injectCss() {
    var id = cls("style");
    if (!cfg.css || document.getElementById(id)) {
      return;
    }
    var p = "." + cfg.classPrefix;
    var v = "var(--session-timeout-";
    var css = [
      p + "-overlay{position:fixed;top:0;right:0;bottom:0;left:0;z-index:" + v + "z,2147483000);" +
        "display:flex;align-items:center;justify-content:center;padding:1rem;" +
        "background:" + v + "backdrop,rgba(15,23,42,.55))}",
      p + "-dialog{box-sizing:border-box;width:100%;max-width:" + v + "width,28rem);" +
        "max-height:calc(100vh - 2rem);overflow:auto;margin:auto;padding:1.5rem;" +
        "border-radius:" + v + "radius,.5rem);background:" + v + "bg,#fff);" +
        "color:" + v + "fg,#1f2937);font:" + v + "font,16px/1.5 system-ui,-apple-system," +
        "\"Segoe UI\",Roboto,\"DejaVu Sans\",sans-serif);text-align:left;" +
        "box-shadow:0 12px 40px rgba(0,0,0,.35)}",
      p + "-dialog:focus{outline:none}",
      p + "-relogin{max-width:" + v + "relogin-width,34rem)}",
      p + "-title{margin:0 0 .5rem;font-size:1.25em;font-weight:600;line-height:1.3}",
      p + "-body{margin:0 0 1.25rem}",
      p + "-countdown{font-weight:700;font-variant-numeric:tabular-nums}",
      p + "-error{margin:0 0 1rem;color:" + v + "error,#b91c1c)}",
      p + "-actions{display:flex;flex-wrap:wrap;align-items:center;justify-content:flex-end}",
      p + "-button{margin:.25rem 0 0 .5rem;padding:.5rem 1rem;font:inherit;line-height:1.25;" +
        "border:1px solid " + v + "border,#94a3b8);border-radius:.375rem;cursor:pointer;" +
        "background:" + v + "button-bg,#fff);color:" + v + "button-fg,#1f2937)}",
      p + "-primary{background:" + v + "accent,#1d4ed8);border-color:" + v + "accent,#1d4ed8);" +
        "color:" + v + "accent-fg,#fff)}",
      p + "-button:focus," + p + "-link:focus{outline:3px solid " + v + "focus,#f59e0b);" +
        "outline-offset:2px}",
      p + "-link{margin:.25rem auto 0 0;color:" + v + "accent,#1d4ed8)}",
      p + "-frame{display:block;box-sizing:border-box;width:100%;height:" + v +
        "frame-height,20rem);margin:0 0 1rem;border:1px solid " + v + "border,#94a3b8);" +
        "border-radius:.375rem;background:#fff}"
    ].join("\n");
    var style = document.createElement("style");
    style.id = id;
    style.appendChild(document.createTextNode(css));
    var head = document.head || document.getElementsByTagName("head")[0];
    // First in <head>, so the page's own rules win over these defaults.
    if (head) {
      head.insertBefore(style, head.firstChild);
    }
  }

  // spec: {kind, role, title, body: [nodes], actions: [{text, primary, onClick, link}],
  //        frame: iframe or null, onEscape, focus: node to focus first,
  //        countdown: the node updateCountdown keeps current, or null}
  function openDialog(spec) {
    var restore = null;
    if (dialog) {
      restore = dialog.restore;
      removeDialog();
    } else {
      restore = document.activeElement;
    }
    injectCss();
    dialogCounter += 1;
    var id = cls("dialog-" + dialogCounter);
    var overlay = element("div", cls("overlay"));
    var box = element("div", cls("dialog") + " " + cls(spec.kind));
    box.setAttribute("role", spec.role);
    box.setAttribute("aria-modal", "true");
    box.setAttribute("aria-labelledby", id + "-title");
    box.setAttribute("aria-describedby", id + "-body");
    box.setAttribute("tabindex", "-1");
    var title = element("h2", cls("title"), spec.title);
    title.id = id + "-title";
    box.appendChild(title);
    var body = element("p", cls("body"));
    body.id = id + "-body";
    each(spec.body, function (node) { body.appendChild(node); });
    box.appendChild(body);
    if (spec.frame) {
      box.appendChild(spec.frame);
    }
    var error = element("p", cls("error"));
    error.setAttribute("role", "status");
    error.hidden = true;
    box.appendChild(error);
    var actions = element("div", cls("actions"));
    var buttons = [];
    each(spec.actions, function (action) {
      var node;
      if (action.link) {
        node = element("a", cls("link"), action.text);
        node.href = action.link;
        node.target = "_blank";
        node.rel = "noopener";
      } else {
        node = element("button", cls("button") + (action.primary ? " " + cls("primary") : ""),
                       action.text);
        node.type = "button";
        node.setAttribute("data-action", action.name);
        node.onclick = function (event) {
          event.preventDefault();
          action.onClick();
        };
      }
      actions.appendChild(node);
      buttons.push(node);
    });
    box.appendChild(actions);
    overlay.appendChild(box);
    document.body.appendChild(overlay);
    dialog = { kind: spec.kind, overlay: overlay, box: box, error: error,
               onEscape: spec.onEscape, restore: restore };
    countdownNode = spec.countdown || null;
    var first = spec.focus || buttons[0] || box;
    try {
      first.focus();
    } catch (e) {
      box.focus();
    }
    return dialog;
  }

  function removeDialog() {
    if (dialog && dialog.overlay.parentNode) {
      dialog.overlay.parentNode.removeChild(dialog.overlay);
    }
    countdownNode = null;
    dialog = null;
  }

  function closeDialog() {
    if (!dialog) {
      return;
    }
    var restore = dialog.restore;
    removeDialog();
    if (restore && restore.focus && document.documentElement.contains(restore)) {
      try {
        restore.focus();
      } catch (e) { /* an element that cannot take focus any more */ }
    }
  }

  function showError(text) {
    if (dialog) {
      dialog.error.textContent = text;
      dialog.error.hidden = false;
    }
  }

  function focusables(box) {
    var nodes = box.querySelectorAll(
      "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), " +
      "select:not([disabled]), textarea:not([disabled]), iframe, " +
      "[tabindex]:not([tabindex='-1'])");
    var result = [];
    each(nodes, function (node) {
      if (node.offsetWidth || node.offsetHeight || node.getClientRects().length) {
        result.push(node);
      }
    });
    return result;
  }

  // Tab and Shift+Tab cycle inside the dialog; Escape does the dialog's default.
  function onKeydown(event) {
    if (!dialog) {
      return;
    }
    var key = event.key || event.keyCode;
    if (key === "Escape" || key === "Esc" || key === 27) {
      event.preventDefault();
      event.stopPropagation();
      if (dialog.onEscape) {
        dialog.onEscape();
      }
      return;
    }
    if (key !== "Tab" && key !== 9) {
      return;
    }
    var nodes = focusables(dialog.box);
    if (!nodes.length) {
      event.preventDefault();
      dialog.box.focus();
      return;
    }
    var first = nodes[0];
    var last = nodes[nodes.length - 1];
    var active = document.activeElement;
    var inside = dialog.box.contains(active);
    if (event.shiftKey && (active === first || active === dialog.box || !inside)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !inside)) {
      event.preventDefault();
      first.focus();
    }
  }

  // Focus that leaves the dialog any other way (a click, a script) is brought back.
  function onFocusin(event) {
    if (dialog && !dialog.box.contains(event.target)) {
      var nodes = focusables(dialog.box);
      (nodes[0] || dialog.box).focus();
    }
  }

  function updateCountdown() {
    if (countdownNode) {
      var left = remainingMs();
      countdownNode.textContent = formatTime(left === null ? 0 : left);
    }
  }

  function templated(text, node) {
    var parts = text.split("{time}");
    var nodes = [document.createTextNode(parts[0])];
    if (parts.length > 1) {
      nodes.push(node, document.createTextNode(parts.slice(1).join("{time}")));
    }
    return nodes;
  }
