#!/usr/bin/env python
"""The benchmark: what the middleware costs per request against Beaker alone in the same
run, what it reads and writes in the session store, how it serves under load, and
whether its memory stays flat. One process, one run, one table; ``PASS``/``MISS`` per
target. docs/benchmark.md describes it in full.

Run it with ``scripts/bench`` (which installs everything first), or::

    python bench/run.py [--quick] [--profile] [--strict] [--wrk-duration SECONDS] ...

Parts:

1. In-process: Beaker alone (``SessionMiddleware``, no ``timeout``,
   ``save_accessed_time=False``: its cheapest, read-only configuration) and Beaker run
   by the middleware, called directly with pre-built environs and a no-op
   ``start_response``, the body consumed and closed, as ``timeit`` does. For the memory
   and file backends; for a request without a cookie, a signed-in read of one session,
   and signed-in reads going round-robin over ``--sessions`` (10 000) signed-in
   sessions, since a cache that always hits with one session may miss with many. Each
   round times both stacks back to back (in alternating order); a row's time is the
   median of its rounds and its ratio the median of the rounds' ratios, so a busy
   machine slows both sides of each ratio alike. Function calls per request are counted
   with ``sys.setprofile`` (they do not depend on the machine's load), and split by whose
   code makes them. The middleware's clock is a
   :class:`~wsgi_session_timeout.testing.ManualClock` standing at the sign-in time: every
   request falls inside one ``touch_interval``, as a browser's requests do between two
   activity cookies.
2. Store access: the same stacks with an instrumented subclass of the backend's real
   namespace class (Beaker's ``namespace_class``) count reads and writes over 1000
   requests (going round-robin over up to 1000 sessions for the many-session rows),
   and apart from them the accesses to the per-user session index and the notes
   beside ended sessions: none on those requests, some at a sign-in.
3. Under load: two gunicorn hosts (two gunicorn processes on two ports) of 4 sync
   workers each, on one ``redis-server`` (``ext:redis``), serving :mod:`bench.wsgi` with
   the middleware and without it (Beaker alone, same options). ``--sessions`` users are
   signed in through each stack with real ``POST /login`` requests (in parallel,
   bounded), and ``wrk`` (bench/load.lua) sends signed-in ``GET /`` requests, each with a
   session picked at random, to both hosts; the stacks alternate in segments. Redis
   counts its commands (``INFO commandstats``) before and after each segment: reads and
   writes per request. Errors are non-2xx/3xx answers and socket errors.
4. Memory: 100 000 requests through the middleware (signed-in pages with the activity
   cookie followed as a browser would, status polls, requests without a cookie), with
   tracemalloc and RSS measured before and after.

``--profile`` adds a cProfile of the signed-in read (memory backend), Beaker alone and
with the middleware, split by module: the middleware's own functions, Beaker's, the
rest.
"""

from __future__ import print_function

import argparse
import collections
import concurrent.futures
import cProfile
import gc
import http.client
import io
import itertools
import os
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
import tracemalloc

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

import beaker  # noqa: E402
from beaker.container import FileNamespaceManager, MemoryNamespaceManager  # noqa: E402

import wsgi_session_timeout  # noqa: E402
from bench import servers  # noqa: E402
from bench.app import USER, beaker_options, build, user_name  # noqa: E402
from wsgi_session_timeout.store import INDEX_PREFIX  # noqa: E402
from wsgi_session_timeout.testing import ManualClock  # noqa: E402

BACKENDS = {"memory": MemoryNamespaceManager, "file": FileNamespaceManager}
#: The two stacks every figure compares.
COMPARED = ("beaker", "ours")
LABELS = {"beaker": "Beaker alone", "beaker_timeout": "Beaker+timeout",
          "ours": "Beaker+middleware"}
#: The requests of part 1: none (no cookie), one (one signed-in session), many (going
#: round-robin over many signed-in sessions).
CASES = ("none", "one", "many")

#: The targets, checked in :func:`targets`: time and calls as ratios against Beaker
#: alone in the same run.
NO_COOKIE_TIME = 1.05
NO_COOKIE_CALLS = 1.5
MEMORY_TIME = 1.15
MEMORY_CALLS = 1.3
FILE_TIME = 1.10
WRITES_LIMIT = 0
LOAD_RATIO = 0.95
LOAD_P99_ADDED = 0.001
LOAD_READS = 1
#: "Flat" memory: a leak of even one small object per request (>= 32 bytes) over
#: 100 000 requests would be >= 3 MiB; allocator and cache noise stays well below these.
TRACED_GROWTH_LIMIT = 512 * 1024
RSS_GROWTH_LIMIT = 8 * 1024 * 1024


# -- calling a WSGI stack -----------------------------------------------------------------

def environ(cookie=None, method="GET", path="/", query=""):
    """A complete WSGI environ for one request to 127.0.0.1."""
    env = {
        "REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1", "HTTP_ACCEPT": "text/html,*/*;q=0.8",
        "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if cookie:
        env["HTTP_COOKIE"] = cookie
    return env


def _no_op_start_response(status, headers, exc_info=None):
    return _no_op_write


def _no_op_write(data):
    pass


def call(stack, env):
    """One request: ``(status, headers, body)``."""
    answer = []

    def start_response(status, headers, exc_info=None):
        answer[:] = [status, headers]
        return _no_op_write

    result = stack(dict(env), start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return answer[0], answer[1], body


def request_loop(stack, environs):
    """A callable making one request, for ``timeit``: a copy of the next pre-built
    environ (round-robin over ``environs``), the no-op ``start_response``, the body
    consumed and closed. One environ or many, the loop costs the same."""
    following = itertools.cycle(environs).__next__

    def one():
        result = stack(dict(following()), _no_op_start_response)
        try:
            for _ in result:
                pass
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
    return one


def set_cookies(headers):
    """``{name: value}`` of the ``Set-Cookie`` headers (a deleted cookie's value is ``None``)."""
    found = {}
    for key, value in headers:
        if key.lower() != "set-cookie":
            continue
        pair = value.split(";", 1)[0]
        name, _, cookie_value = pair.partition("=")
        deleted = "max-age=0" in value.lower().replace(" ", "")
        found[name.strip()] = None if deleted else cookie_value.strip()
    return found


def cookie_header(jar):
    return "; ".join("%s=%s" % item for item in sorted(jar.items()) if item[1] is not None)


def sign_in(stack, user=USER):
    """Sign ``user`` in through ``stack``; return the Cookie header the browser sends."""
    status, headers, body = call(stack, environ(method="POST", path="/login",
                                                query="user=" + user))
    jar = set_cookies(headers)
    if not status.startswith("200") or "beaker.session.id" not in jar:
        raise RuntimeError("sign-in failed: %s %r %r" % (status, headers, body))
    return cookie_header(jar)


def greeting(user):
    return ("hello %s" % user).encode("ascii")


# -- counting store access ----------------------------------------------------------------

def counting_class(base, counts):
    """A subclass of Beaker's namespace class ``base`` that counts into ``counts``:
    reads (``ns[key]``, ``key in ns``) and writes (``ns[key] = v``, ``del ns[key]``);
    ``lifecycle`` counts those of them that reach the per-user session index or the note
    beside an ended session."""

    def lifecycle(namespace):
        name = namespace.namespace
        if name.startswith(INDEX_PREFIX) or name.endswith(".ended"):
            counts["lifecycle"] += 1

    class Counting(base):
        def __getitem__(self, key):
            counts["reads"] += 1
            lifecycle(self)
            return base.__getitem__(self, key)

        def __contains__(self, key):
            counts["reads"] += 1
            lifecycle(self)
            return base.__contains__(self, key)

        def __setitem__(self, key, value):
            counts["writes"] += 1
            lifecycle(self)
            return base.__setitem__(self, key, value)

        def __delitem__(self, key):
            counts["writes"] += 1
            lifecycle(self)
            return base.__delitem__(self, key)

    Counting.__name__ = "Counting" + base.__name__
    return Counting


# -- part 1 and 2: in-process -------------------------------------------------------------

class Bench(object):
    """One backend's stacks, ``sessions`` users signed in through each (one through
    ``beaker_timeout``, which only the store counts use), and the environs of each case:
    ``environs[stack, case]`` is a list."""

    def __init__(self, backend, tmp_dir, sessions, stacks=COMPARED, namespace_class=None):
        data_dir = None
        if backend == "file":
            data_dir = tempfile.mkdtemp(prefix="file-", dir=tmp_dir)
        options = beaker_options(backend, data_dir=data_dir, namespace_class=namespace_class)
        self.clock = ManualClock(time.time())
        self.stacks = dict((name, build(name, options, clock=self.clock)) for name in stacks)
        self.environs = {}
        for name, stack in self.stacks.items():
            count = sessions if name in COMPARED else 1
            signed_in = [environ(sign_in(stack, user_name(n))) for n in range(count)]
            self.environs[name, "none"] = [environ()]
            self.environs[name, "one"] = signed_in[:1]
            self.environs[name, "many"] = signed_in
        self.check()

    def check(self):
        """Every stack answers as expected, and the middleware's steady state sets no
        cookie: what is timed is the common request, not the once-per-interval one."""
        for (name, case), environs in sorted(self.environs.items()):
            for number in sorted(set([0, len(environs) // 2, len(environs) - 1])):
                status, headers, body = call(self.stacks[name], environs[number])
                expected = greeting(user_name(number) if case != "none" else "stranger")
                if not status.startswith("200") or body != expected:
                    raise RuntimeError("%s, %s: got %s %r" % (name, case, status, body))
                if name == "ours" and set_cookies(headers):
                    raise RuntimeError("ours, %s: the steady state sets cookies: %r"
                                       % (case, headers))


TIMERS = {"cpu": time.process_time, "wall": time.perf_counter}


def measure_times(benches, rounds, number, timer="cpu"):
    """``(times, ratios)``: ``times[backend, case, stack]`` is the median seconds per
    request over ``rounds`` rounds of ``number`` requests, ``ratios[backend, case]`` the
    median of the rounds' ratios of the middleware's time to Beaker's. Each round times
    the two stacks back to back, in alternating order, so that a busy machine slows both
    sides of a ratio alike. ``timer="wall"`` measures wall-clock time, as timeit does;
    ``"cpu"`` this process's CPU time (time spent waiting for a CPU that another process
    holds is not counted, nor is waiting for the disk)."""
    clock = TIMERS[timer]
    loops = {}
    for backend, bench in benches.items():
        for case in CASES:
            for name in COMPARED:
                loops[backend, case, name] = request_loop(bench.stacks[name],
                                                          bench.environs[name, case])
    for loop in loops.values():  # warm up: imports, caches, the first file reads
        timeit.Timer(loop, timer=clock).timeit(max(number // 10, 10))
    samples = collections.defaultdict(list)
    pairs = collections.defaultdict(list)
    rows = sorted(set(key[:2] for key in loops))
    for round_number in range(rounds):
        order = COMPARED if round_number % 2 == 0 else tuple(reversed(COMPARED))
        for row in (rows if round_number % 2 == 0 else list(reversed(rows))):
            took = {}
            for name in order:
                took[name] = timeit.Timer(loops[row + (name,)], timer=clock).timeit(number) / number
                samples[row + (name,)].append(took[name])
            pairs[row].append(ratio(took["ours"], took["beaker"]))
    times = dict((key, statistics.median(values)) for key, values in samples.items())
    ratios = dict((row, statistics.median(values)) for row, values in pairs.items())
    return times, ratios


#: Whose code makes a function call: the innermost frame in one of these directories.
MIDDLEWARE, BEAKER, APP = "middleware", "Beaker", "app"
OWNERS = ((os.path.dirname(os.path.abspath(wsgi_session_timeout.__file__)) + os.sep, MIDDLEWARE),
          (os.path.dirname(os.path.abspath(beaker.__file__)) + os.sep, BEAKER),
          (os.path.join(REPO, "bench") + os.sep, APP))
GROUPS = (MIDDLEWARE, BEAKER, APP)


def owner(filename):
    """:data:`MIDDLEWARE`, :data:`BEAKER` or :data:`APP` for a source file of theirs, else
    ``None`` (the standard library, WebOb, built-ins: called on someone's behalf)."""
    filename = os.path.abspath(filename) if not filename.startswith("<") else filename
    for directory, name in OWNERS:
        if filename.startswith(directory):
            return name
    return None


def count_calls(loop, requests=200):
    """``{"total": n, MIDDLEWARE: n, BEAKER: n, APP: n}``, function calls per request
    (Python functions and built-ins, as ``sys.setprofile`` sees them). Unlike time, the
    same on every run and every machine, so a change in the middleware's cost shows even
    on a busy machine. Each call is counted for whose code makes it: the innermost
    frame of the middleware, Beaker or the app (with the benchmark's loop) on the stack,
    so ``http.cookies`` called by Beaker counts as Beaker's and WebOb called by the
    middleware as the middleware's."""
    counts = collections.Counter()
    owners = {}

    def profiler(frame, event, arg):
        if event == "call" or event == "c_call":
            group = None
            while frame is not None:
                filename = frame.f_code.co_filename
                group = owners.get(filename, False)
                if group is False:
                    group = owners[filename] = owner(filename)
                if group is not None:
                    break
                frame = frame.f_back
            counts[group or APP] += 1
    sys.setprofile(profiler)
    try:
        for _ in range(requests):
            loop()
    finally:
        sys.setprofile(None)
    result = dict((group, counts[group] / float(requests)) for group in GROUPS)
    result["total"] = sum(counts.values()) / float(requests)
    return result


def measure_calls(benches):
    """``{(backend, case, stack): count_calls(...)}``."""
    return dict(((backend, case, name),
                 count_calls(request_loop(bench.stacks[name], bench.environs[name, case])))
                for backend, bench in benches.items()
                for case in CASES for name in COMPARED)


def measure_counts(tmp_dir, sessions, requests=1000):
    """``{(backend, case, stack): {"reads": n, "writes": n}}`` over ``requests``
    requests, for Beaker alone, Beaker with its own timeout and the middleware; the
    many-session case goes round-robin over ``min(sessions, requests)`` sessions."""
    counts = {}
    for backend, base in BACKENDS.items():
        counter = collections.Counter()
        bench = Bench(backend, tmp_dir, min(sessions, requests),
                      stacks=("beaker", "beaker_timeout", "ours"),
                      namespace_class=counting_class(base, counter))
        for (name, case), environs in sorted(bench.environs.items()):
            if name == "beaker_timeout" and case == "many":
                continue
            counter.clear()
            loop = request_loop(bench.stacks[name], environs)
            for _ in range(requests):
                loop()
            counts[backend, case, name] = {"reads": counter["reads"],
                                           "writes": counter["writes"],
                                           "lifecycle": counter["lifecycle"]}
        counter.clear()
        sign_in(bench.stacks["ours"], "lifecycle")
        counts[backend, "sign-in", "ours"] = dict(counter)
    return counts


# -- part 3: under load -------------------------------------------------------------------

def http_request(url, method="GET", path="/", cookie=None):
    host, port = url.split("//", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request(method, path, headers={"Cookie": cookie} if cookie else {})
        reply = conn.getresponse()
        return reply.status, reply.getheaders(), reply.read()
    finally:
        conn.close()


def sign_in_over_http(urls, count, parallel):
    """Sign users ``0 .. count - 1`` in with real ``POST /login`` requests, user ``n``
    on host ``n % len(urls)``, at most ``parallel`` at a time; their Cookie headers."""
    def one(number):
        url = urls[number % len(urls)]
        status, headers, body = http_request(url, "POST", "/login?user=" + user_name(number))
        jar = set_cookies(headers)
        if status != 200 or "beaker.session.id" not in jar:
            raise RuntimeError("sign-in on %s failed: %s %r %r" % (url, status, headers, body))
        return cookie_header(jar)
    with concurrent.futures.ThreadPoolExecutor(max_workers=parallel) as pool:
        return list(pool.map(one, range(count)))


def check_sessions(name, urls, cookies):
    """A few of the sessions, on every host: signed in, and (under the middleware) the
    steady state, which sets no cookie."""
    for number in sorted(set([0, len(cookies) // 2, len(cookies) - 1])):
        for url in urls:
            status, headers, body = http_request(url, cookie=cookies[number])
            if status != 200 or body != greeting(user_name(number)):
                raise RuntimeError("%s on %s: %s %r" % (name, url, status, body))
            if set_cookies(headers):
                raise RuntimeError("%s on %s: the steady state sets cookies: %r"
                                   % (name, url, headers))


#: Redis commands that only read; INFO and connection set-up are neither.
READ_COMMANDS = frozenset(["get", "mget", "exists", "strlen", "ttl", "pttl", "type", "hget",
                           "hmget", "hgetall", "hexists", "scan", "keys"])
OTHER_COMMANDS = frozenset(["info", "ping", "client", "hello", "command", "select", "auth",
                            "config"])


def redis_commands(url):
    """``{command: calls}`` from ``INFO commandstats``."""
    import redis
    client = redis.Redis.from_url(url)
    try:
        stats = client.info("commandstats")
    finally:
        client.close()
    found = {}
    for key, value in stats.items():
        name = key[len("cmdstat_"):] if key.startswith("cmdstat_") else key
        found[name.lower()] = value["calls"] if isinstance(value, dict) else int(value)
    return found


def store_access(before, after):
    """``(reads, writes)`` between two :func:`redis_commands`; any command that is not
    known to only read (or to be INFO and connection set-up) counts as a write."""
    reads = writes = 0
    for name, calls in after.items():
        made = calls - before.get(name, 0)
        if name in READ_COMMANDS:
            reads += made
        elif name not in OTHER_COMMANDS:
            writes += made
    return reads, writes


def run_wrk(wrk, urls, cookies_path, seconds, connections, threads):
    """One wrk run of bench/load.lua: ``{"requests", "seconds", "errors", "p50", "p99"}``
    (times in seconds)."""
    env = dict(os.environ, BENCH_COOKIES=cookies_path,
               BENCH_HOSTS=" ".join(url.split("//", 1)[1] for url in urls))
    argv = [wrk, "-t", str(threads), "-c", str(connections), "-d", "%ds" % seconds,
            "-s", os.path.join(REPO, "bench", "load.lua"), urls[0] + "/"]
    run = subprocess.run(argv, env=env, capture_output=True, timeout=seconds + 60)
    output = run.stdout.decode("utf-8", "replace")
    result = None
    for line in output.splitlines():
        if line.startswith("bench-result "):
            result = dict((key, int(value)) for key, value in
                          (item.split("=", 1) for item in line.split()[1:]))
    if run.returncode != 0 or result is None:
        raise RuntimeError("wrk failed (%d): %s%s" % (
            run.returncode, output, run.stderr.decode("utf-8", "replace")))
    return {"requests": result["requests"], "seconds": result["duration"] / 1e6,
            "errors": sum(result[k] for k in ("connect", "read", "write", "status", "timeout")),
            "p50": result["p50"] / 1e6, "p99": result["p99"] / 1e6}


def measure_load(tmp_dir, args, against_itself=False):
    """``{stack: {...}}`` for ``beaker`` and ``ours``: requests/s, the medians of the
    segments' p50 and p99, Redis reads and writes, errors, sign-in time.

    Two passes (:func:`load_pass`), each on its own redis-server, gunicorn hosts and
    signed-in sessions, the second with the stacks in the other order. Beaker alone run
    against itself in one pass had, in the place set up second, a p99 0.1 to 2.3 ms
    lower in five runs of five and up to 10 % more requests/s in four: one order alone
    would credit that to whichever stack came second.

    ``against_itself``: the middleware's place is taken by Beaker alone, so the figures
    show how far two identical stacks differ on this machine (``--noise``)."""
    orders = [COMPARED, tuple(reversed(COMPARED))] if args.wrk_segments > 1 else [COMPARED]
    seconds = max(int(round(args.wrk_duration / float(args.wrk_segments))), 1)
    totals = dict((name, {"requests": 0, "seconds": 0.0, "errors": 0, "reads": 0,
                          "writes": 0, "p50s": [], "p99s": [], "sign_in_seconds": 0.0})
                  for name in COMPARED)
    per_pass = -(-args.wrk_segments // len(orders))  # an odd count is rounded up
    for order in orders:
        pass_dir = tempfile.mkdtemp(prefix="load-", dir=tmp_dir)
        load_pass(pass_dir, args, order, seconds, per_pass, totals, against_itself)
    for name in COMPARED:
        total = totals[name]
        total["rps"] = total["requests"] / total["seconds"] if total["seconds"] else 0.0
        total["p50"] = statistics.median(total["p50s"])
        total["p99"] = statistics.median(total["p99s"])
        total["sign_in_seconds"] /= len(orders)
    totals["segments"] = per_pass * len(orders)
    totals["seconds_per_stack"] = seconds * totals["segments"]
    totals["segment_seconds"] = seconds
    totals["passes"] = len(orders)
    return totals


def load_pass(tmp_dir, args, order, seconds, segments, totals, against_itself=False):
    """One pass of :func:`measure_load`: two gunicorn hosts per stack on one
    redis-server, started and signed in in ``order`` (``args.sessions`` sessions
    each), then wrk for ``segments`` segments of ``seconds`` per stack, alternating and
    ``order``'s first stack first; adds what it measures to ``totals``."""
    wrk = servers.system_binary("wrk")
    redis = servers.redis_server(tmp_dir)
    started = [redis]
    try:
        redis.start()
        urls, cookie_files = {}, {}
        for name in order:
            env = dict(os.environ, BENCH_STACK="beaker" if against_itself else name,
                       BENCH_REDIS_URL=redis.url, PYTHONPATH=REPO)
            urls[name] = []
            for host in range(args.hosts):
                server = servers.gunicorn_server(
                    tmp_dir, "gunicorn-%s-%d" % (name, host), ["bench.wsgi:application"],
                    env=env, workers=args.workers)
                started.append(server)
                server.start()
                urls[name].append(server.url)
        for name in order:
            began = time.time()
            cookies = sign_in_over_http(urls[name], args.sessions, args.sign_in_parallel)
            totals[name]["sign_in_seconds"] += time.time() - began
            check_sessions(name, urls[name], cookies)
            cookie_files[name] = os.path.join(tmp_dir, "cookies-%s.txt" % name)
            with open(cookie_files[name], "w") as handle:
                handle.write("".join(cookie + "\n" for cookie in cookies))
        for segment in range(segments):
            for name in (order if segment % 2 == 0 else tuple(reversed(order))):
                before = redis_commands(redis.url)
                run = run_wrk(wrk, urls[name], cookie_files[name], seconds,
                              args.wrk_connections, args.wrk_threads)
                reads, writes = store_access(before, redis_commands(redis.url))
                total = totals[name]
                for key in ("requests", "seconds", "errors"):
                    total[key] += run[key]
                total["reads"] += reads
                total["writes"] += writes
                total["p50s"].append(run["p50"])
                total["p99s"].append(run["p99"])
        for name in order:
            # Still the steady state: wrk's cookies never reached a touch.
            with open(cookie_files[name]) as handle:
                check_sessions(name, urls[name], handle.read().splitlines())
    except servers.ServerError:
        raise
    except Exception:
        for server in started[1:]:
            sys.stderr.write(server.logs() + "\n")
        raise
    finally:
        for server in reversed(started):
            server.stop()


# -- part 4: memory -----------------------------------------------------------------------

def rss_bytes():
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def measure_memory(tmp_dir, requests):
    """Growth of traced memory and RSS over ``requests`` requests through the middleware
    (memory backend): signed-in pages, with the activity cookie kept as a browser keeps
    it and the clock moving 1 s per 100 requests; every 10th a status poll, every 10th a
    request without a cookie."""
    bench = Bench("memory", tmp_dir, 1, stacks=("ours",))
    stack, clock = bench.stacks["ours"], bench.clock
    jar = dict(pair.split("=", 1) for pair in
               bench.environs["ours", "one"][0]["HTTP_COOKIE"].split("; "))
    page, status, anonymous = environ(), environ(path="/_session/status"), environ()
    replies = []

    def start_response(status_line, headers, exc_info=None):
        replies.append(status_line)
        for name, value in set_cookies(headers).items():
            if value is None:
                jar.pop(name, None)
            else:
                jar[name] = value
        return _no_op_write

    def run(count):
        for i in range(count):
            if i % 100 == 0:
                clock.advance(1)
            if i % 10 == 5:
                env = anonymous
            else:
                env = status if i % 10 == 0 else page
                env["HTTP_COOKIE"] = cookie_header(jar)
            result = stack(dict(env), start_response)
            for _ in result:
                pass
            close = getattr(result, "close", None)
            if close is not None:
                close()
        bad = [r for r in replies if not r.startswith("200")]
        if bad:
            raise RuntimeError("memory run: %d answers were not 200, e.g. %s" % (len(bad), bad[0]))
        del replies[:]

    run(min(requests // 10, 2000))  # warm up
    gc.collect()
    tracemalloc.start()
    traced_before = tracemalloc.get_traced_memory()[0]
    rss_before = rss_bytes()
    started = time.time()
    run(requests)
    took = time.time() - started
    gc.collect()
    traced_after = tracemalloc.get_traced_memory()[0]
    rss_after = rss_bytes()
    tracemalloc.stop()
    return {"requests": requests, "traced_growth": traced_after - traced_before,
            "rss_growth": rss_after - rss_before, "rss_after": rss_after, "seconds": took,
            "signed_in": "beaker.session.id" in jar}


# -- profile ------------------------------------------------------------------------------

def profile(benches, requests, timer="cpu", limit=20):
    """cProfile of the signed-in read (memory backend), one session and many, Beaker
    alone and with the middleware: each function's own calls and time per request,
    added up by module (:func:`owner` of the function's file: the middleware, Beaker,
    the app and the benchmark's loop, the rest), then the ``limit`` functions with the
    most own time under the middleware, each marked with its module. ``timer`` as in
    :func:`measure_times`."""
    bench = benches["memory"]
    out = []
    row = "%-28s %-18s %10s %8s %8s %8s %8s"
    out.append("Each function's own calls and time (us) per request, added up by the module "
               "the function is in:")
    out.append(row % ("request", "stack", "middleware", "Beaker", "app", "the rest", "total"))
    listings = []
    for case in ("one", "many"):
        for name in COMPARED:
            loop = request_loop(bench.stacks[name], bench.environs[name, case])
            for _ in range(min(requests, 1000)):
                loop()  # warm
            profiler = cProfile.Profile(TIMERS[timer])
            profiler.enable()
            for _ in range(requests):
                loop()
            profiler.disable()
            stats = pstats.Stats(profiler)
            calls = collections.Counter()
            took = collections.Counter()
            for (filename, line, function), (cc, nc, tt, ct, callers) in stats.stats.items():
                group = owner(filename) or "the rest"
                calls[group] += nc
                took[group] += tt
            groups = GROUPS + ("the rest",)
            label = case_label(case, len(bench.environs[name, case]))
            out.append(row % ((label, LABELS[name]) +
                              tuple("%.1f" % (calls[g] / float(requests)) for g in groups) +
                              ("%.1f" % (sum(calls.values()) / float(requests)),)))
            out.append(row % (("", "  time (us)") +
                              tuple("%.1f" % (took[g] * 1e6 / requests) for g in groups) +
                              ("%.1f" % (sum(took.values()) * 1e6 / requests),)))
            if name == "ours":
                listings.append((case, stats))
    for case, stats in listings:
        out.append("")
        out.append("Beaker+middleware, memory, %s: the %d functions with the most own time, "
                   "per request" % (case_label(case, len(bench.environs["ours", case])), limit))
        out.append("%-10s %8s %9s %9s  %s" % ("module", "calls", "own us", "cum us", "function"))
        entries = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:limit]
        for (filename, line, function), (cc, nc, tt, ct, callers) in entries:
            where = short_path(filename)
            out.append("%-10s %8.2f %9.2f %9.2f  %s:%d(%s)" % (
                owner(filename) or "the rest", nc / float(requests), tt * 1e6 / requests,
                ct * 1e6 / requests, where, line, function))
    return "\n".join(out)


def short_path(filename):
    """``filename`` from the repository, site-packages or the standard library."""
    for directory in (os.path.dirname(os.path.dirname(os.path.abspath(beaker.__file__))),
                      os.path.dirname(os.path.abspath(os.__file__)), REPO):
        if filename.startswith(directory + os.sep):
            return filename[len(directory) + 1:]
    return filename


# -- the report ---------------------------------------------------------------------------

def load_average():
    return " ".join("%.2f" % n for n in os.getloadavg())


def machine():
    """What the numbers were measured on."""
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return "%d CPUs (%s), %s, Python %s, Beaker %s, load average %s" % (
        os.cpu_count() or 0, model, platform.platform(terse=True), platform.python_version(),
        beaker.__version__, load_average())


def versions():
    found = []
    for argv in (["redis-server", "--version"], ["wrk", "-v"]):
        try:
            binary = servers.system_binary(argv[0])
            run = subprocess.run([binary] + argv[1:], capture_output=True, timeout=30)
            found.append((run.stdout or run.stderr).decode("utf-8", "replace").splitlines()[0])
        except (servers.ServerError, OSError, subprocess.SubprocessError, IndexError):
            pass
    try:
        import gunicorn
        found.append("gunicorn %s" % gunicorn.__version__)
    except ImportError:
        pass
    return "; ".join(found)


def ratio(a, b):
    return a / b if b else float("inf")


def case_label(case, sessions):
    if case == "none":
        return "no cookie"
    if case == "one":
        return "signed-in, 1 session"
    return "signed-in, %d sessions" % sessions


def table(benches, times, ratios, calls, counts, count_requests):
    """What it costs you, in process: one row per backend and request."""
    lines = []
    row = "%-7s %-25s | %7s %7s %6s | %6s %6s %6s | %-11s %-13s"
    lines.append("%-33s | %-22s | %-20s | %s" % ("", "time per request", "calls per request",
                                                 "store access per request"))
    lines.append(row % ("backend", "request", "Beaker", "+mw", "ratio", "Beaker", "+mw",
                        "ratio", "reads B/mw", "writes B/mw"))
    lines.append(row % ("", "", "us", "us", "", "", "", "", "", ""))
    for backend, bench in benches.items():
        for case in CASES:
            t = dict((name, times[backend, case, name] * 1e6) for name in COMPARED)
            c = dict((name, calls[backend, case, name]["total"]) for name in COMPARED)
            access = [counts.get((backend, case, name), {}) for name in COMPARED]
            lines.append(row % (
                backend, case_label(case, len(bench.environs["ours", case])),
                "%.1f" % t["beaker"], "%.1f" % t["ours"], "%.3f" % ratios[backend, case],
                "%.0f" % c["beaker"], "%.0f" % c["ours"], "%.3f" % ratio(c["ours"], c["beaker"]),
                " / ".join("%.2f" % (a.get("reads", 0) / float(count_requests)) for a in access),
                " / ".join("%.3f" % (a.get("writes", 0) / float(count_requests))
                           for a in access)))
    return lines


def calls_table(benches, calls):
    """Calls per request by whose code makes them, for each row of :func:`table`."""
    lines = []
    row = "%-7s %-25s %-18s %10s %8s %5s %7s"
    lines.append(row % ("backend", "request", "stack", "middleware", "Beaker", "app", "total"))
    for backend, bench in benches.items():
        for case in CASES:
            for name in COMPARED:
                c = calls[backend, case, name]
                lines.append(row % (
                    backend if name == COMPARED[0] else "",
                    case_label(case, len(bench.environs["ours", case]))
                    if name == COMPARED[0] else "",
                    LABELS[name], "%.0f" % c[MIDDLEWARE], "%.0f" % c[BEAKER], "%.0f" % c[APP],
                    "%.0f" % c["total"]))
    return lines


def load_table(load, args):
    lines = []
    row = "%-20s %11s %8s %8s %13s %13s %9s %7s %9s"
    lines.append(row % ("stack", "requests/s", "p50 ms", "p99 ms", "Redis reads", "Redis writes",
                        "requests", "errors", "sign-in s"))
    lines.append(row % ("", "", "", "", "per request", "per request", "", "", ""))
    for name in COMPARED:
        w = load[name]
        lines.append(row % (LABELS[name], "%.1f" % w["rps"], "%.2f" % (w["p50"] * 1e3),
                            "%.2f" % (w["p99"] * 1e3),
                            "%.3f" % ratio(w["reads"], w["requests"]),
                            "%.3f" % ratio(w["writes"], w["requests"]), "%d" % w["requests"],
                            "%d" % w["errors"], "%.1f" % w["sign_in_seconds"]))
    ours, theirs = load["ours"], load["beaker"]
    lines.append(row % ("middleware vs Beaker", "%.3f" % ratio(ours["rps"], theirs["rps"]),
                        "%+.2f" % ((ours["p50"] - theirs["p50"]) * 1e3),
                        "%+.2f" % ((ours["p99"] - theirs["p99"]) * 1e3), "", "", "", "", ""))
    return lines


def targets(benches, times, ratios, calls, counts, load, memory, args):
    """``[(passed, text)]``, one per target."""
    results = []

    def check(passed, text):
        results.append((passed, text))

    def time_and_calls(backend, case, time_limit, calls_limit, against="Beaker alone"):
        label = "%s, %s" % (backend, case_label(case, len(benches[backend].environs["ours", case])))
        value = ratios[backend, case]
        check(value <= time_limit, "%s: time %.3f x %s (target <= %.2f)"
              % (label, value, against, time_limit))
        if calls_limit is not None:
            c = [calls[backend, case, name]["total"] for name in COMPARED]
            check(ratio(c[1], c[0]) <= calls_limit,
                  "%s: calls %.0f / %.0f = %.3f x Beaker alone (target <= %.2f)"
                  % (label, c[1], c[0], ratio(c[1], c[0]), calls_limit))

    for backend in BACKENDS:
        time_and_calls(backend, "none", NO_COOKIE_TIME, NO_COOKIE_CALLS)
        access = counts[backend, "none", "ours"]
        check(access["reads"] == 0 and access["writes"] == 0,
              "%s, no cookie: store reads %d, writes %d over 1000 requests (target 0)"
              % (backend, access["reads"], access["writes"]))
    for case in ("one", "many"):
        time_and_calls("memory", case, MEMORY_TIME, MEMORY_CALLS)
    for case in ("one", "many"):
        time_and_calls("file", case, FILE_TIME, None,
                       against="Beaker's read-only floor (no timeout, no access-time save)")
    for backend in BACKENDS:
        ordinary = [counts[backend, case, "ours"]["lifecycle"] for case in CASES]
        at_sign_in = counts[backend, "sign-in", "ours"].get("lifecycle", 0)
        check(sum(ordinary) == 0 and at_sign_in > 0,
              "%s: session index and ended-note accesses over 1000 requests: no cookie %d, "
              "one session %d, many sessions %d (target 0); at one sign-in %d (the index "
              "is written there)" % ((backend,) + tuple(ordinary) + (at_sign_in,)))
    for backend in BACKENDS:
        for case in ("one", "many"):
            ours = counts[backend, case, "ours"]["writes"]
            label = case_label(case, min(args.sessions, 1000))
            text = "%s, %s: store writes over 1000 reads: middleware %d (target %d)" % (
                backend, label, ours, WRITES_LIMIT)
            if case == "one":
                text += ", Beaker with its own timeout %d" % (
                    counts[backend, case, "beaker_timeout"]["writes"])
            check(ours <= WRITES_LIMIT, text)
    if load is not None:
        ours, theirs = load["ours"], load["beaker"]
        where = "Redis, %d gunicorn hosts x %d workers, %d sessions" % (
            args.hosts, args.workers, args.sessions)
        value = ratio(ours["rps"], theirs["rps"])
        errors = ours["errors"] + theirs["errors"]
        check(value >= LOAD_RATIO and errors == 0,
              "%s: %.0f requests/s / Beaker alone %.0f = %.3f (target >= %.2f); errors %d "
              "(target 0)" % (where, ours["rps"], theirs["rps"], value, LOAD_RATIO, errors))
        added = ours["p99"] - theirs["p99"]
        check(added <= LOAD_P99_ADDED,
              "%s: p99 %.3f ms, Beaker alone %.3f ms, added %+.3f ms (target <= %.1f ms)" % (
                  where, ours["p99"] * 1e3, theirs["p99"] * 1e3, added * 1e3,
                  LOAD_P99_ADDED * 1e3))
        # Requests still in flight when wrk stops reached Redis but are not in wrk's count.
        in_flight = args.wrk_connections * load["segments"]
        check(ours["reads"] <= LOAD_READS * ours["requests"] + in_flight and
              ours["writes"] == 0,
              "%s: Redis reads %d for %d requests (%.3f per request, target <= %d), writes %d "
              "(target 0)" % (where, ours["reads"], ours["requests"],
                              ratio(ours["reads"], ours["requests"]), LOAD_READS,
                              ours["writes"]))
    if memory is not None:
        check(memory["traced_growth"] <= TRACED_GROWTH_LIMIT and
              memory["rss_growth"] <= RSS_GROWTH_LIMIT and memory["signed_in"],
              "memory over %d requests: tracemalloc %+.1f KiB (target <= %d KiB), RSS "
              "%+.1f KiB (target <= %d KiB), still signed in: %s" % (
                  memory["requests"], memory["traced_growth"] / 1024.0,
                  TRACED_GROWTH_LIMIT // 1024, memory["rss_growth"] / 1024.0,
                  RSS_GROWTH_LIMIT // 1024, memory["signed_in"]))
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="a tiny run that only shows everything works (few iterations "
                             "and sessions, one worker per host, wrk 2 s, 2000 requests for "
                             "memory)")
    parser.add_argument("--rounds", type=int, help="timing rounds (default 100; quick 3)")
    parser.add_argument("--number", type=int,
                        help="requests per round and stack (default 200; quick 100)")
    parser.add_argument("--sessions", type=int,
                        help="signed-in sessions, in process and under load (default 10000; "
                             "quick 50)")
    parser.add_argument("--wrk-duration", type=int,
                        help="seconds of wrk per stack (default 40; quick 2)")
    parser.add_argument("--wrk-segments", type=int,
                        help="the wrk time is split into this many alternating segments "
                             "(default 4; quick 1); from 2 on, half of them (rounded up) in "
                             "each of two passes with the stacks set up in either order")
    parser.add_argument("--wrk-connections", type=int, default=16,
                        help="wrk's connections, spread over the hosts (default 16)")
    parser.add_argument("--wrk-threads", type=int,
                        help="wrk's threads, a multiple of --hosts (default: --hosts)")
    parser.add_argument("--hosts", type=int, default=2, help="gunicorn hosts (default 2)")
    parser.add_argument("--workers", type=int,
                        help="sync workers per gunicorn host (default 4; quick 1)")
    parser.add_argument("--sign-in-parallel", type=int, default=16,
                        help="sign-in requests at a time (default 16)")
    parser.add_argument("--no-wrk", action="store_true", help="skip the gunicorn/wrk part")
    parser.add_argument("--noise", action="store_true",
                        help="run the load test again with Beaker alone in both places: "
                             "how far two identical stacks differ on this machine")
    parser.add_argument("--memory-requests", type=int,
                        help="requests for the memory check (default 100000; quick 2000)")
    parser.add_argument("--profile", action="store_true",
                        help="also print a cProfile of the signed-in read (memory), split "
                             "by module")
    parser.add_argument("--timer", choices=sorted(TIMERS), default="cpu",
                        help="cpu (default): this process's CPU time (user and system), "
                             "which the other processes of a busy machine disturb far less; "
                             "wall: perf_counter, as timeit, which also counts the time "
                             "spent waiting for a CPU that another process holds")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    quick = args.quick
    # Many short rounds: each ratio pairs two runs a few milliseconds apart, which a
    # busy machine disturbs alike, and the median of 100 ratios moves by about +-0.02
    # from run to run (15 rounds of 1000 requests moved by +-0.05).
    rounds = args.rounds or (3 if quick else 100)
    number = args.number or (100 if quick else 200)
    args.sessions = args.sessions or (50 if quick else 10000)
    args.wrk_duration = args.wrk_duration or (2 if quick else 40)
    args.wrk_segments = args.wrk_segments or (1 if quick else 4)
    args.wrk_threads = args.wrk_threads or args.hosts
    args.workers = args.workers or (1 if quick else 4)
    memory_requests = args.memory_requests or (2000 if quick else 100000)
    if args.wrk_threads % args.hosts or args.wrk_connections < args.wrk_threads:
        parser.error("--wrk-threads must be a multiple of --hosts, and --wrk-connections at "
                     "least --wrk-threads")

    tmp_dir = tempfile.mkdtemp(prefix="wst-bench-")
    results = []
    began = time.time()
    try:
        print("wsgi_session_timeout benchmark")
        print("machine: %s" % machine())
        print("tools: %s" % versions())
        print()
        benches = collections.OrderedDict(
            (backend, Bench(backend, tmp_dir, args.sessions)) for backend in BACKENDS)
        times, ratios = measure_times(benches, rounds, number, args.timer)
        calls = measure_calls(benches)
        counts = measure_counts(tmp_dir, args.sessions)
        print("What it costs you, in process: Beaker alone (no timeout, no access-time save) "
              "and Beaker run by the middleware, one request at a time. Time: %s, median of "
              "%d rounds of %d requests per stack; ratio: the median of the rounds' ratios "
              "(both stacks timed back to back in each round). Store: over %d requests "
              "(up to %d sessions). Load average now %s."
              % ("CPU time" if args.timer == "cpu" else "wall-clock", rounds, number, 1000,
                 min(args.sessions, 1000), load_average()))
        for line in table(benches, times, ratios, calls, counts, 1000):
            print(line)
        print("Beaker with its own timeout instead writes the session on every signed-in "
              "read: %s writes per 1000." % ", ".join(
                  "%s %d" % (backend, counts[backend, "one", "beaker_timeout"]["writes"])
                  for backend in BACKENDS))
        print()
        print("Function calls per request by whose code makes them (the innermost frame of "
              "the middleware, Beaker, or the app and the benchmark's loop):")
        for line in calls_table(benches, calls):
            print(line)
        print()
        load = None
        if not args.no_wrk:
            load = measure_load(tmp_dir, args)
            print("Under load: %d gunicorn hosts x %d sync workers, one redis-server "
                  "(ext:redis), %d signed-in sessions (signed in with real requests, %d at a "
                  "time); wrk -t%d -c%d, a random session per request, %d s per stack in %d "
                  "alternating segments, over %d pass(es) with the stacks set up in either "
                  "order; p50/p99: medians of the segments'. Load average now %s."
                  % (args.hosts, args.workers, args.sessions, args.sign_in_parallel,
                     args.wrk_threads, args.wrk_connections, load["seconds_per_stack"],
                     load["segments"], load["passes"], load_average()))
            for line in load_table(load, args):
                print(line)
            print()
            if args.noise:
                noise = measure_load(tmp_dir, args, against_itself=True)
                beaker, again = noise["beaker"], noise["ours"]
                print("Noise: the same load test with Beaker alone in both places: "
                      "%.0f against %.0f requests/s (%.3f), p99 %.2f against %.2f ms "
                      "(%+.2f ms). Load average now %s." % (
                          again["rps"], beaker["rps"], ratio(again["rps"], beaker["rps"]),
                          again["p99"] * 1e3, beaker["p99"] * 1e3,
                          (again["p99"] - beaker["p99"]) * 1e3, load_average()))
                print()
        memory = measure_memory(tmp_dir, memory_requests)
        print("Memory: %d requests through the middleware in %.1f s: tracemalloc %+.1f KiB, "
              "RSS %+.1f KiB (RSS now %.1f MiB)" % (
                  memory["requests"], memory["seconds"], memory["traced_growth"] / 1024.0,
                  memory["rss_growth"] / 1024.0, memory["rss_after"] / 1048576.0))
        print()
        results = targets(benches, times, ratios, calls, counts, load, memory, args)
        print("Targets:")
        for passed, text in results:
            print("%s  %s" % ("PASS" if passed else "MISS", text))
        print("%d of %d targets met in %.0f s (load average at the end: %s)" % (
            sum(1 for p, _ in results if p), len(results), time.time() - began,
            load_average()))
        if args.profile:
            print()
            print("Profile: the signed-in read, memory backend, %d requests per stack, %s time "
                  "(the profiler's own overhead included: compare the columns, not the "
                  "totals with the table's)" % (number * 5,
                                                "CPU" if args.timer == "cpu" else "wall-clock"))
            print(profile(benches, number * 5, args.timer))
        elif not all(p for p, _ in results):
            print("scripts/bench --profile shows, per module, whose functions the calls and "
                  "time are: the middleware's own, Beaker's, or the rest.")
    except servers.ServerError as exc:
        print("bench: %s" % exc, file=sys.stderr)
        return 2
    finally:
        servers.rmtree(tmp_dir)
    if args.strict and not all(p for p, _ in results):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
