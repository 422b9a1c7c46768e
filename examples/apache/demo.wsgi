"""mod_wsgi's entry point for the demo app (examples/bare_wsgi.py): see httpd.conf.

mod_wsgi looks for ``application``. The app reads ``DEMO_DATA_DIR``, ``DEMO_SECRET`` and
``DEMO_CLOCK`` from the process environment, which mod_wsgi's daemon processes inherit
from Apache (Debian: put ``export DEMO_DATA_DIR=...`` in /etc/apache2/envvars).
"""

import os
import sys

EXAMPLES = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if EXAMPLES not in sys.path:
    sys.path.insert(0, EXAMPLES)

from bare_wsgi import application  # noqa: E402,F401
