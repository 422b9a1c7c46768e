/* wsgi_session_timeout client script: placeholder, replaced by the real client. */
(function () { "use strict"; }());
