
  // -- once per page ------------------------------------------------------------------

  if (!window || !document || (window.SessionTimeout && window.SessionTimeout.version)) {
    return;  // no DOM, or already loaded once on this page
  }

  var VERSION = "0.1.0";
  var FRAME_ATTRIBUTE = "data-session-timeout-frame";

  // Inside the re-login dialog's iframe the page after sign-in may include this script too;
  // it must not count down, wrap requests or open dialogs of its own there.
  var insideOurFrame = isOurFrame();

  function isOurFrame() {
    try {
      return !!(window.frameElement && window.frameElement.hasAttribute(FRAME_ATTRIBUTE));
    } catch (e) {
      return false;  // a cross-origin parent: not ours
    }
  }
