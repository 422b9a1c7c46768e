/*!
 * wsgi_session_timeout client script.
 *
 *   <script src="/_session/client.js"></script>
 *
 * Counts down the session's remaining time (told by the server, never computed from the
 * client's clock), warns before it ends, lets the user stay signed in, and when a request
 * meets an expired session sends the user to the login page, or (mode "dialog") signs
 * them in again inside the page and replays the requests that failed meanwhile.
 *
 * Plain ES5, no dependencies, no build step. Configured with data- attributes on the
 * script tag, window.SessionTimeoutConfig, or SessionTimeout.configure({...}).
 *
 * Written as the files of wsgi_session_timeout/static/src, joined in the order of
 * wsgi_session_timeout/client.py when served. NAMES, the line after this function's
 * opening, holds the wire names (wsgi_session_timeout/protocol.py) and the
 * endpoint_prefix the script is served under.
 */
(function (window, document) {
  "use strict";
