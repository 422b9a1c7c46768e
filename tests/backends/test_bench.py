"""The benchmark runs: a tiny run of bench/run.py (few iterations, wrk for 2 s) prints
the whole table and a PASS or MISS for every target. Timings are not asserted here:
scripts/bench is where they are judged."""

import os
import subprocess
import sys

from bench import servers

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_the_benchmark_runs_and_prints_its_table():
    run = subprocess.run(
        [sys.executable, os.path.join(REPO, "bench", "run.py"), "--quick", "--wrk-duration", "2"],
        cwd=REPO, stdin=subprocess.DEVNULL, capture_output=True, timeout=240)
    output = run.stdout.decode("utf-8", "replace")
    errors = run.stderr.decode("utf-8", "replace")
    assert run.returncode == 0, "exit %d\n%s\n%s" % (run.returncode, output, errors)
    if servers.SETUP_HINT in errors:  # pragma: no cover (a broken set-up)
        raise AssertionError(errors)
    for line in ("In-process, wall-clock time per request", "memory  signed-in", "memory  no cookie",
                 "file    signed-in", "file    no cookie", "Under load: gunicorn",
                 "Beaker+middleware", "Memory: 2000 requests", "Targets:"):
        assert line in output, "%r missing from:\n%s" % (line, output)
    verdicts = [line for line in output.splitlines() if line[:6] in ("PASS  ", "MISS  ")]
    assert len(verdicts) == 10, output
    for target in ("memory, signed-in", "file, signed-in", "memory, no cookie",
                   "file, no cookie", "store writes over 1000", "Redis, gunicorn 2 workers",
                   "session index and ended-note accesses over 1000 read-only requests",
                   "memory over 2000 requests"):
        assert any(target in line for line in verdicts), "no verdict for %r:\n%s" % (
            target, output)
