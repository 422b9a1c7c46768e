"""The benchmark's stack for gunicorn: ``gunicorn bench.wsgi:application``.

The environment chooses it: ``BENCH_STACK`` (``ours`` or ``beaker``, see
:mod:`bench.app`) and ``BENCH_REDIS_URL`` (Beaker's ``ext:redis`` URL). The middleware
gets an ``absolute_timeout``, so the store keeps each record with a TTL (``SETEX``), as
a deployment on Redis would.
"""

import os

from bench.app import ABSOLUTE_TIMEOUT, beaker_options, build

application = build(
    os.environ.get("BENCH_STACK", "ours"),
    beaker_options("ext:redis", url=os.environ["BENCH_REDIS_URL"]),
    **({"absolute_timeout": ABSOLUTE_TIMEOUT}
       if os.environ.get("BENCH_STACK", "ours") == "ours" else {}))
