"""The benchmark's stack for gunicorn: ``gunicorn bench.wsgi:application``.

The environment chooses it: ``BENCH_STACK`` (``ours`` or ``beaker``, see
:mod:`bench.app`) and ``BENCH_REDIS_URL`` (Beaker's ``ext:redis`` URL). The middleware
gets an ``absolute_timeout``, so the store keeps each record with a TTL (``SETEX``), as
a deployment on Redis would.

Its ``touch_interval`` is longer than the whole run (``LOAD_TOUCH_INTERVAL``): wrk
replays the cookies it was given and never keeps the new activity cookie a browser
would keep once per interval, so with the default interval (60 s) every request after
the first minute would be a touch. What is measured is the common request, the one
between two touches, as in the in-process part; bench/run.py checks that it sets no
cookie.
"""

import os

from bench.app import ABSOLUTE_TIMEOUT, LOAD_TOUCH_INTERVAL, beaker_options, build

STACK = os.environ.get("BENCH_STACK", "ours")

application = build(
    STACK, beaker_options("ext:redis", url=os.environ["BENCH_REDIS_URL"]),
    **({"absolute_timeout": ABSOLUTE_TIMEOUT, "touch_interval": LOAD_TOUCH_INTERVAL}
       if STACK == "ours" else {}))
