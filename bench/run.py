#!/usr/bin/env python
"""The benchmark of the issue "Scale and speed": what the middleware costs per request,
what it writes to the session store, how it serves under load, and whether its memory
stays flat. One process, one run, one table; ``PASS``/``MISS`` per target.

Run it with ``scripts/bench`` (which installs everything first), or::

    python bench/run.py [--quick] [--wrk-duration SECONDS] [--profile] [--strict]

Parts:

1. In-process: each stack of :mod:`bench.app` (bare app; Beaker without a timeout;
   Beaker with its own timeout; Beaker run by the middleware) is called directly with a
   pre-built environ and a no-op ``start_response``, its body consumed and closed, as
   ``timeit`` does: several rounds, the stacks interleaved in each round so that a busy
   machine slows them alike, the median round reported. For the memory and file
   backends; for a signed-in read-only request and for a request without a cookie. The
   middleware's clock is a :class:`~wsgi_session_timeout.testing.ManualClock` standing
   at the sign-in time: every request falls inside one ``touch_interval``, as a browser's
   requests do between two activity cookies.
2. Store access: the same stacks with an instrumented subclass of the backend's real
   namespace class (Beaker's ``namespace_class``) count reads and writes over 1000
   read-only requests, and apart from them the accesses to the per-user session index
   and the notes beside ended sessions: none on those requests, some at a sign-in.
3. Under load: gunicorn (2 sync workers) serving :mod:`bench.wsgi` on ``ext:redis``
   (a ``redis-server`` of its own), with the middleware and without it (Beaker alone,
   same options), driven by ``wrk`` with a signed-in cookie, alternating between the two
   in segments. Errors are non-2xx/3xx answers and socket errors.
4. Memory: 100 000 requests through the middleware (signed-in pages with the activity
   cookie followed as a browser would, status polls, requests without a cookie), with
   tracemalloc and RSS measured before and after.

``--profile`` adds a cProfile of the middleware on the memory backend, signed in.
"""

from __future__ import print_function

import argparse
import collections
import cProfile
import gc
import http.client
import io
import os
import platform
import pstats
import re
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

from beaker.container import FileNamespaceManager, MemoryNamespaceManager  # noqa: E402

from bench import servers  # noqa: E402
from bench.app import STACKS, USER, beaker_options, build  # noqa: E402
from wsgi_session_timeout.store import INDEX_PREFIX  # noqa: E402
from wsgi_session_timeout.testing import ManualClock  # noqa: E402

BACKENDS = {"memory": MemoryNamespaceManager, "file": FileNamespaceManager}
CASES = ("signed-in", "no cookie")
LABELS = {"bare": "bare app", "beaker": "Beaker", "beaker_timeout": "Beaker+timeout",
          "ours": "Beaker+middleware"}

#: The targets of the issue, each ``(name, limit)``; checked in :func:`targets`.
MEMORY_RATIO = 1.10
FILE_RATIO = 0.35
NO_COOKIE_RATIO = 1.05
WRITES_LIMIT = 1
WRK_RATIO = 0.95
#: "Flat" memory: a leak of even one small object per request (>= 32 bytes) over
#: 100 000 requests would be >= 3 MiB; allocator and cache noise stays well below these.
TRACED_GROWTH_LIMIT = 512 * 1024
RSS_GROWTH_LIMIT = 8 * 1024 * 1024


# -- calling a WSGI stack -----------------------------------------------------------------

def environ(cookie=None, method="GET", path="/"):
    """A complete WSGI environ for one request to 127.0.0.1."""
    env = {
        "REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": "",
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


def request_loop(stack, env):
    """A callable making one request, for ``timeit``: a copy of the pre-built environ,
    the no-op ``start_response``, the body consumed and closed."""
    def one():
        result = stack(dict(env), _no_op_start_response)
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


def sign_in(stack):
    """Sign ``alice`` in through ``stack``; return the Cookie header the browser sends."""
    status, headers, body = call(stack, environ(method="POST", path="/login"))
    jar = set_cookies(headers)
    if not status.startswith("200") or "beaker.session.id" not in jar:
        raise RuntimeError("sign-in failed: %s %r %r" % (status, headers, body))
    return cookie_header(jar)


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
    """One backend's four stacks, signed in, with the environs of both cases."""

    def __init__(self, backend, tmp_dir, namespace_class=None):
        data_dir = None
        if backend == "file":
            data_dir = tempfile.mkdtemp(prefix="file-", dir=tmp_dir)
        options = beaker_options(backend, data_dir=data_dir, namespace_class=namespace_class)
        self.clock = ManualClock(time.time())
        self.stacks = dict((name, build(name, options, clock=self.clock)) for name in STACKS)
        self.environs = {}
        for name, stack in self.stacks.items():
            cookie = sign_in(stack) if name != "bare" else None
            self.environs[name, "signed-in"] = environ(cookie)
            self.environs[name, "no cookie"] = environ()
        self.check()

    def check(self):
        """Every stack answers as expected, and the middleware's steady state sets no
        cookie: what is timed is the common request, not the once-per-interval one."""
        for (name, case), env in sorted(self.environs.items()):
            status, headers, body = call(self.stacks[name], env)
            signed_in = case == "signed-in" and name != "bare"
            expected = ("hello %s" % (USER if signed_in else "stranger")).encode("ascii")
            if not status.startswith("200") or body != expected:
                raise RuntimeError("%s, %s: got %s %r" % (name, case, status, body))
            if name == "ours" and set_cookies(headers):
                raise RuntimeError("ours, %s: the steady state sets cookies: %r" % (case, headers))


TIMERS = {"cpu": time.process_time, "wall": time.perf_counter}


def measure_times(benches, rounds, number, timer="wall"):
    """``{(backend, stack, case): seconds per request}``: medians of ``rounds`` rounds,
    in wall-clock time (``timer="wall"``, as timeit) or in this process's CPU time
    (``"cpu"``: time spent waiting for a CPU that another process holds is not
    counted, nor is waiting for the disk)."""
    clock = TIMERS[timer]
    loops = {}
    for backend, bench in benches.items():
        for (name, case), env in bench.environs.items():
            loops[backend, name, case] = request_loop(bench.stacks[name], env)
    for loop in loops.values():  # warm up: imports, caches, the first file reads
        timeit.Timer(loop, timer=clock).timeit(max(number // 10, 10))
    samples = collections.defaultdict(list)
    keys = sorted(loops)
    for round_number in range(rounds):
        # Alternate the order, so neither end of a round is always the same stack.
        for key in (keys if round_number % 2 == 0 else list(reversed(keys))):
            samples[key].append(timeit.Timer(loops[key], timer=clock).timeit(number) / number)
    return dict((key, statistics.median(values)) for key, values in samples.items())


def count_calls(loop, requests=200):
    """Python and C function calls per request: unlike time, the same on every run and
    every machine, so a change in the middleware's cost shows even on a busy machine."""
    calls = [0]

    def profiler(frame, event, arg):
        if event == "call" or event == "c_call":
            calls[0] += 1
    sys.setprofile(profiler)
    try:
        for _ in range(requests):
            loop()
    finally:
        sys.setprofile(None)
    return calls[0] / float(requests)


def measure_calls(benches):
    """``{(backend, stack, case): calls per request}``."""
    return dict(((backend, name, case), count_calls(request_loop(bench.stacks[name], env)))
                for backend, bench in benches.items()
                for (name, case), env in bench.environs.items())


def measure_counts(tmp_dir, requests=1000):
    """``{(backend, stack, case): {"reads": n, "writes": n}}`` over ``requests`` requests."""
    counts = {}
    for backend, base in BACKENDS.items():
        counter = collections.Counter()
        bench = Bench(backend, tmp_dir, namespace_class=counting_class(base, counter))
        for (name, case), env in sorted(bench.environs.items()):
            if name == "bare":
                continue
            counter.clear()
            loop = request_loop(bench.stacks[name], env)
            for _ in range(requests):
                loop()
            counts[backend, name, case] = {"reads": counter["reads"], "writes": counter["writes"],
                                           "lifecycle": counter["lifecycle"]}
        counter.clear()
        sign_in(bench.stacks["ours"])
        counts[backend, "ours", "sign-in"] = dict(counter)
    return counts


# -- part 3: under load -------------------------------------------------------------------

def http_request(url, method="GET", path="/", cookie=None):
    host, port = url.split("//", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=20)
    try:
        conn.request(method, path, headers={"Cookie": cookie} if cookie else {})
        reply = conn.getresponse()
        return reply.status, reply.getheaders(), reply.read()
    finally:
        conn.close()


def parse_wrk(output):
    """``(requests, seconds, errors)`` from wrk's report."""
    match = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)\b", output)
    if not match:
        raise RuntimeError("cannot read wrk's report:\n%s" % output)
    scale = {"ms": 0.001, "s": 1.0, "m": 60.0}[match.group(3)]
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                        output)
    if sockets:
        errors += sum(int(n) for n in sockets.groups())
    return int(match.group(1)), float(match.group(2)) * scale, errors


def measure_wrk(tmp_dir, duration, segments, connections, threads):
    """``{stack: {"rps": ..., "requests": ..., "errors": ...}}`` for ``beaker`` and
    ``ours`` under gunicorn with 2 workers on Redis."""
    wrk = servers.system_binary("wrk")
    redis = servers.redis_server(tmp_dir)
    started = [redis]
    try:
        redis.start()
        urls, cookies = {}, {}
        for name in ("beaker", "ours"):
            env = dict(os.environ, BENCH_STACK=name, BENCH_REDIS_URL=redis.url,
                       PYTHONPATH=REPO)
            server = servers.gunicorn_server(tmp_dir, "gunicorn-" + name,
                                             ["bench.wsgi:application"], env=env, workers=2)
            started.append(server)
            server.start()
            urls[name] = server.url
            status, headers, body = http_request(server.url, "POST", "/login")
            cookies[name] = cookie_header(set_cookies(headers))
            status, headers, body = http_request(server.url, cookie=cookies[name])
            if status != 200 or body != ("hello %s" % USER).encode("ascii"):
                raise RuntimeError("%s under gunicorn: %s %r" % (name, status, body))
        totals = dict((name, {"requests": 0, "seconds": 0.0, "errors": 0}) for name in urls)
        seconds = max(int(round(duration / float(segments))), 1)
        for segment in range(segments):
            order = ("beaker", "ours") if segment % 2 == 0 else ("ours", "beaker")
            for name in order:
                argv = [wrk, "-t", str(threads), "-c", str(connections), "-d", "%ds" % seconds,
                        "-H", "Cookie: " + cookies[name], urls[name] + "/"]
                run = subprocess.run(argv, capture_output=True, timeout=seconds + 60)
                output = run.stdout.decode("utf-8", "replace")
                if run.returncode != 0:
                    raise RuntimeError("wrk failed (%d): %s%s" % (
                        run.returncode, output, run.stderr.decode("utf-8", "replace")))
                requests, took, errors = parse_wrk(output)
                totals[name]["requests"] += requests
                totals[name]["seconds"] += took
                totals[name]["errors"] += errors
        for total in totals.values():
            total["rps"] = total["requests"] / total["seconds"] if total["seconds"] else 0.0
        totals["seconds_per_stack"] = seconds * segments
        return totals
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
    bench = Bench("memory", tmp_dir)
    stack, clock = bench.stacks["ours"], bench.clock
    jar = dict(pair.split("=", 1) for pair in
               bench.environs["ours", "signed-in"]["HTTP_COOKIE"].split("; "))
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

def profile(tmp_dir, requests, limit=25):
    """cProfile of the middleware, memory backend, signed-in read-only requests."""
    bench = Bench("memory", tmp_dir)
    loop = request_loop(bench.stacks["ours"], bench.environs["ours", "signed-in"])
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        loop()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(limit)
    stats.sort_stats("cumulative").print_stats(limit)
    return out.getvalue().replace(REPO + os.sep, "")


# -- the report ---------------------------------------------------------------------------

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
    import beaker
    return "%d CPUs (%s), %s, Python %s, Beaker %s, load average %s" % (
        os.cpu_count() or 0, model, platform.platform(terse=True), platform.python_version(),
        beaker.__version__, " ".join("%.2f" % n for n in os.getloadavg()))


def versions():
    found = []
    for argv in (["redis-server", "--version"], ["wrk", "-v"], ["memcached", "-V"]):
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


def table(times, counts, calls, count_requests):
    lines = []
    row = "%-7s %-9s %8s %8s %8s %8s %8s %8s  %-16s %-16s %s"
    lines.append(row % ("", "", "bare", "Beaker", "Beaker+", "Beaker+", "mw /", "mw /",
                        "store reads", "store writes", "calls/request"))
    lines.append(row % ("backend", "request", "app", "", "timeout", "mw", "Beaker",
                        "B+timeout", "per request", "per %d" % count_requests,
                        "(Beaker, B+timeout, mw)"))
    lines.append(row % ("", "", "us", "us", "us", "us", "", "", "(B, B+t, mw)",
                        "(B, B+t, mw)", ""))
    for backend in BACKENDS:
        for case in CASES:
            t = dict((name, times[backend, name, case] * 1e6) for name in STACKS)
            stacks = ("beaker", "beaker_timeout", "ours")
            c = [counts.get((backend, name, case), {}) for name in stacks]
            lines.append(row % (
                backend, case, "%.1f" % t["bare"], "%.1f" % t["beaker"],
                "%.1f" % t["beaker_timeout"], "%.1f" % t["ours"],
                "%.3f" % ratio(t["ours"], t["beaker"]),
                "%.3f" % ratio(t["ours"], t["beaker_timeout"]),
                "/".join("%.2f" % (x.get("reads", 0) / float(count_requests)) for x in c),
                "/".join("%d" % x.get("writes", 0) for x in c),
                "/".join("%.0f" % calls[backend, name, case] for name in stacks)))
    return lines


def targets(times, counts, wrk, memory):
    """``[(passed, text)]``, one per target of the issue."""
    results = []

    def check(passed, text):
        results.append((passed, text))

    t = lambda backend, name, case: times[backend, name, case]  # noqa: E731
    value = ratio(t("memory", "ours", "signed-in"), t("memory", "beaker", "signed-in"))
    check(value <= MEMORY_RATIO, "memory, signed-in: middleware / Beaker without timeout = "
          "%.3f (target <= %.2f)" % (value, MEMORY_RATIO))
    value = ratio(t("file", "ours", "signed-in"), t("file", "beaker_timeout", "signed-in"))
    check(value <= FILE_RATIO, "file, signed-in: middleware / Beaker with timeout = %.3f "
          "(target <= %.2f)" % (value, FILE_RATIO))
    for backend in BACKENDS:
        value = ratio(t(backend, "ours", "no cookie"), t(backend, "beaker", "no cookie"))
        access = counts[backend, "ours", "no cookie"]
        check(value <= NO_COOKIE_RATIO and access["reads"] == 0 and access["writes"] == 0,
              "%s, no cookie: middleware / Beaker alone = %.3f (target <= %.2f); store "
              "reads %d, writes %d (target 0)" % (backend, value, NO_COOKIE_RATIO,
                                                   access["reads"], access["writes"]))
    for backend in BACKENDS:
        ordinary = [counts[backend, "ours", case]["lifecycle"] for case in CASES]
        at_sign_in = counts[backend, "ours", "sign-in"].get("lifecycle", 0)
        check(sum(ordinary) == 0 and at_sign_in > 0,
              "%s: session index and ended-note accesses over 1000 read-only requests: "
              "signed-in %d, no cookie %d (target 0); at one sign-in %d (the index is "
              "written there)" % ((backend,) + tuple(ordinary) + (at_sign_in,)))
    for backend in BACKENDS:
        ours = counts[backend, "ours", "signed-in"]["writes"]
        theirs = counts[backend, "beaker_timeout", "signed-in"]["writes"]
        check(ours <= WRITES_LIMIT, "%s: store writes over 1000 read-only requests in one "
              "touch interval: middleware %d (target <= %d), Beaker with timeout %d"
              % (backend, ours, WRITES_LIMIT, theirs))
    if wrk is not None:
        value = ratio(wrk["ours"]["rps"], wrk["beaker"]["rps"])
        errors = wrk["ours"]["errors"] + wrk["beaker"]["errors"]
        check(value >= WRK_RATIO and errors == 0,
              "Redis, gunicorn 2 workers, wrk %d s: middleware %.0f requests/s / Beaker "
              "alone %.0f = %.3f (target >= %.2f); errors %d (target 0)" % (
                  wrk["seconds_per_stack"], wrk["ours"]["rps"], wrk["beaker"]["rps"], value,
                  WRK_RATIO, errors))
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
                        help="a tiny run that only proves everything works (few iterations, "
                             "wrk 2 s, 2000 requests for memory)")
    parser.add_argument("--rounds", type=int, help="timing rounds (default 9; quick 3)")
    parser.add_argument("--number", type=int,
                        help="requests per round and stack (default 2000; quick 100)")
    parser.add_argument("--wrk-duration", type=int,
                        help="seconds of wrk per stack (default 30; quick 2)")
    parser.add_argument("--wrk-segments", type=int,
                        help="the wrk time is split into this many alternating segments "
                             "(default 2; quick 1)")
    parser.add_argument("--wrk-connections", type=int, default=8)
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--no-wrk", action="store_true", help="skip the gunicorn/wrk part")
    parser.add_argument("--memory-requests", type=int,
                        help="requests for the memory check (default 100000; quick 2000)")
    parser.add_argument("--profile", action="store_true",
                        help="also print a cProfile of the middleware (memory, signed-in)")
    parser.add_argument("--timer", choices=sorted(TIMERS), default="wall",
                        help="wall (default, as timeit): perf_counter; cpu: this process's "
                             "CPU time, which other processes on a busy machine disturb "
                             "less but which leaves out waiting for the disk")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    quick = args.quick
    rounds = args.rounds or (3 if quick else 9)
    number = args.number or (100 if quick else 2000)
    wrk_duration = args.wrk_duration or (2 if quick else 30)
    wrk_segments = args.wrk_segments or (1 if quick else 2)
    memory_requests = args.memory_requests or (2000 if quick else 100000)

    tmp_dir = tempfile.mkdtemp(prefix="wst-bench-")
    try:
        print("wsgi_session_timeout benchmark")
        print("machine: %s" % machine())
        print("tools: %s" % versions())
        print()
        benches = dict((backend, Bench(backend, tmp_dir)) for backend in BACKENDS)
        times = measure_times(benches, rounds, number, args.timer)
        calls = measure_calls(benches)
        counts = measure_counts(tmp_dir)
        print("In-process, %s time per request: median of %d rounds of %d requests per "
              "stack (stacks interleaved), microseconds"
              % ("CPU" if args.timer == "cpu" else "wall-clock", rounds, number))
        for line in table(times, counts, calls, 1000):
            print(line)
        print()
        wrk = None
        if not args.no_wrk:
            wrk = measure_wrk(tmp_dir, wrk_duration, wrk_segments, args.wrk_connections,
                              args.wrk_threads)
            print("Under load: gunicorn, 2 sync workers, ext:redis, wrk -t%d -c%d, %d s per "
                  "stack in %d alternating segments, signed-in GET /"
                  % (args.wrk_threads, args.wrk_connections, wrk["seconds_per_stack"],
                     wrk_segments))
            print("%-20s %12s %10s %8s" % ("stack", "requests/s", "requests", "errors"))
            for name in ("beaker", "ours"):
                w = wrk[name]
                print("%-20s %12.1f %10d %8d" % (LABELS[name], w["rps"], w["requests"],
                                                  w["errors"]))
            print()
        memory = measure_memory(tmp_dir, memory_requests)
        print("Memory: %d requests through the middleware in %.1f s: tracemalloc %+.1f KiB, "
              "RSS %+.1f KiB (RSS now %.1f MiB)" % (
                  memory["requests"], memory["seconds"], memory["traced_growth"] / 1024.0,
                  memory["rss_growth"] / 1024.0, memory["rss_after"] / 1048576.0))
        print()
        results = targets(times, counts, wrk, memory)
        print("Targets:")
        for passed, text in results:
            print("%s  %s" % ("PASS" if passed else "MISS", text))
        print("%d of %d targets met (load average at the end: %s)" % (
            sum(1 for p, _ in results if p), len(results),
            " ".join("%.2f" % n for n in os.getloadavg())))
        if args.profile:
            print()
            print("Profile: the middleware, memory backend, signed-in, %d requests" % (number * 5))
            print(profile(tmp_dir, number * 5))
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
