"""The store's circuit breaker and the start-up check of the store client's timeouts:
pure units, a clock moved by hand (tests/backends/test_breaker_load.py runs it against
real stores under load)."""

import logging
import threading

import pytest

from wsgi_session_timeout import breaker, settings
from wsgi_session_timeout.breaker import Breaker, startup_warning, store_wait
from wsgi_session_timeout.testing import ManualClock

SID = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def clock():
    return ManualClock(1000.0)


@pytest.fixture
def brk(clock):
    return Breaker(probe_interval=1.0, clock=clock)


def in_thread(function):
    """``function()`` called from another thread (another request); its result."""
    result = []
    thread = threading.Thread(target=lambda: result.append(function()))
    thread.start()
    thread.join()
    return result[0]


def records(caplog, level):
    return [r.getMessage() for r in caplog.records
            if r.levelno == level and r.name == "wsgi_session_timeout"]


def test_closed_lets_everything_through(brk):
    assert not brk.is_open
    assert all(brk.allow() for _ in range(5))
    assert brk.admits() and in_thread(brk.admits)
    brk.succeeded()  # nothing to close: no log line
    assert not brk.is_open


def test_the_first_failure_opens_it_and_logs_the_cause_once_without_ids(brk, caplog):
    with caplog.at_level(logging.INFO, logger="wsgi_session_timeout"):
        brk.failed(IOError("Timeout reading from 127.0.0.1:6379 for %s" % SID))
        assert brk.is_open
        assert not brk.allow() and not in_thread(brk.allow)
        in_thread(lambda: brk.failed(IOError("a request that started before")))
    errors = records(caplog, logging.ERROR)
    assert len(errors) == 1, errors
    assert "session store unavailable" in errors[0] and "Timeout reading" in errors[0]
    assert "every 1 s" in errors[0]
    assert SID not in errors[0] and "<id>" in errors[0]


def test_one_probe_at_a_time_once_per_interval(brk, clock):
    brk.failed(IOError("down"))
    clock.advance(0.999)
    assert not brk.allow()
    clock.advance(0.001)
    assert brk.allow()  # this request is the probe
    assert not brk.allow() and not in_thread(brk.allow)  # one in flight: no other
    assert brk.admits() and not in_thread(brk.admits)
    clock.advance(30)
    assert not in_thread(brk.allow)  # still in flight, however long it takes


def test_a_failed_probe_keeps_it_open_and_restarts_the_interval(brk, clock, caplog):
    with caplog.at_level(logging.INFO, logger="wsgi_session_timeout"):
        brk.failed(IOError("down"))
        clock.advance(5)
        assert brk.allow()
        clock.advance(0.5)  # the probe took its time to fail
        brk.failed(IOError("still down"))
        assert brk.is_open and not brk.admits()
        clock.advance(0.9)
        assert not brk.allow()
        clock.advance(0.1)
        assert in_thread(brk.allow)  # another request may probe now
    assert len(records(caplog, logging.ERROR)) == 1  # still the same outage


def test_the_first_probe_that_succeeds_closes_it_and_logs_the_duration(brk, clock, caplog):
    with caplog.at_level(logging.INFO, logger="wsgi_session_timeout"):
        brk.failed(IOError("down"))
        clock.advance(12.25)
        assert brk.allow()
        brk.succeeded()
        assert not brk.is_open and in_thread(brk.allow) and in_thread(brk.admits)
        brk.succeeded()
    warnings = records(caplog, logging.WARNING)
    assert warnings == ["session store available again after 12.2 s"], warnings


def test_a_new_outage_is_logged_again(brk, clock, caplog):
    with caplog.at_level(logging.INFO, logger="wsgi_session_timeout"):
        for _ in range(2):
            brk.failed(IOError("down"))
            clock.advance(1)
            assert brk.allow()
            brk.succeeded()
    assert len(records(caplog, logging.ERROR)) == 2
    assert len(records(caplog, logging.WARNING)) == 2


def test_a_late_failure_of_another_request_does_not_put_the_probe_off(brk, clock):
    brk.failed(IOError("down"))
    clock.advance(1)
    in_thread(lambda: brk.failed(IOError("started before the breaker opened")))
    assert brk.allow()


def test_a_success_from_any_request_closes_it(brk, clock):
    brk.failed(IOError("down"))
    in_thread(brk.succeeded)  # the store answered someone: it is back
    assert not brk.is_open and brk.allow()


def test_a_probe_that_never_reports_is_replaced_after_its_lease(brk, clock):
    brk.failed(IOError("down"))
    clock.advance(1)
    assert in_thread(brk.allow)  # that thread's request died without a word
    clock.advance(breaker.PROBE_LEASE - 0.1)
    assert not brk.allow()
    clock.advance(0.1)
    assert brk.allow()
    brk.succeeded()
    assert not brk.is_open


def test_interval_zero_probes_with_every_request_one_at_a_time(clock):
    brk = Breaker(probe_interval=0, clock=clock)
    brk.failed(IOError("down"))
    assert brk.allow()
    assert not in_thread(brk.allow)
    brk.failed(IOError("down"))
    assert in_thread(brk.allow)


def test_the_default_clock_is_monotonic():
    brk = Breaker()
    assert brk.probe_interval == 1.0
    first = brk.clock()
    assert brk.clock() >= first


def test_many_threads_one_probe(brk, clock):
    brk.failed(IOError("down"))
    clock.advance(1)
    granted = []
    barrier = threading.Barrier(8) if hasattr(threading, "Barrier") else None

    def request():
        if barrier is not None:
            barrier.wait()
        granted.append(brk.allow())
    threads = [threading.Thread(target=request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(granted) == [False] * 7 + [True]


# -- the store client's timeouts --------------------------------------------------------


def redis(query=""):
    return {"type": "ext:redis", "url": "redis://127.0.0.1:6379/0" + query}


@pytest.mark.parametrize("options, seconds", [
    pytest.param(redis("?socket_timeout=1&socket_connect_timeout=1"), 2.0, id="redis-advised"),
    pytest.param(redis("?socket_timeout=2"), 4.0, id="redis-connect-defaults-to-read"),
    pytest.param(redis("?socket_timeout=1&socket_connect_timeout=0.5&retry_on_timeout=true"),
                 3.0, id="redis-retry-counts-twice"),
    pytest.param(redis(), None, id="redis-no-timeout"),
    pytest.param(redis("?socket_timeout=abc"), None, id="redis-bad-number"),
    pytest.param({"type": "ext:rediscluster", "url": "redis://h:7000?socket_timeout=30"},
                 60.0, id="rediscluster"),
    pytest.param({"type": "ext:rediscluster",
                  "urls": "redis://a:7000?socket_timeout=1, redis://b:7001"},
                 2.0, id="rediscluster-urls"),
    pytest.param({"type": "ext:memcached", "url": "127.0.0.1:11211"}, 3.0, id="memcached"),
    pytest.param({"type": "ext:database", "url": "sqlite:////tmp/s.db"}, 5.0, id="sqlite"),
    pytest.param({"type": "ext:database", "url": "sqlite:////tmp/s.db?timeout=20"}, 20.0,
                 id="sqlite-timeout"),
    pytest.param({"type": "ext:database", "url": "postgresql://u@db/app"}, None,
                 id="postgres-no-timeout"),
    pytest.param({"type": "ext:sqla", "url": "postgresql+psycopg2://u@db/app?connect_timeout=3"},
                 3.0, id="postgres-connect-timeout"),
    pytest.param({"type": "ext:database", "url": "mysql+pymysql://u@db/app?connect_timeout=2"},
                 None, id="mysql-no-read-timeout"),
    pytest.param({"type": "ext:database",
                  "url": "mysql://u@db/app?connect_timeout=1&read_timeout=2&write_timeout=2"},
                 5.0, id="mysql-timeouts"),
    pytest.param({"type": "ext:database", "url": "oracle://u@db/app"}, None, id="unknown-driver"),
    pytest.param({"type": "ext:database", "url": "sqlite:////tmp/s.db", "sa.pool_timeout": "30"},
                 30.0, id="pool-timeout"),
])
def test_store_wait(options, seconds):
    assert store_wait(options).seconds == seconds


@pytest.mark.parametrize("options", [
    pytest.param({"type": "memory"}, id="memory"),
    pytest.param({"type": "file", "data_dir": "/tmp/x"}, id="file"),
    pytest.param({"type": "dbm", "data_dir": "/tmp/x"}, id="dbm"),
    pytest.param({"type": "cookie"}, id="cookie"),
    pytest.param({}, id="nothing"),
])
def test_stores_without_a_network_have_no_wait(options):
    assert store_wait(options) is None
    assert startup_warning(options) is None


@pytest.mark.parametrize("options, words", [
    pytest.param(redis(), ["without bound", "no socket_timeout", "socket_timeout=1"],
                 id="redis-no-timeout"),
    pytest.param(redis("?socket_timeout=10"), ["up to 20 s", "socket_timeout=10",
                                               "lower socket_timeout"], id="redis-long"),
    pytest.param(redis("?socket_timeout=2&socket_connect_timeout=2&retry_on_timeout=yes"),
                 ["up to 8 s", "retry_on_timeout", "drop retry_on_timeout"], id="redis-retry"),
    pytest.param({"type": "ext:database", "url": "postgresql://u@db/app"},
                 ["without bound", "connect_timeout"], id="postgres"),
    pytest.param({"type": "ext:database", "url": "mysql://u@db/app"},
                 ["without bound", "connect_timeout and read_timeout", "read_timeout=2"],
                 id="mysql"),
    pytest.param({"type": "ext:database", "url": "sqlite:///x.db", "sa.pool_timeout": 30},
                 ["up to 30 s", "sa.pool_timeout"], id="pool"),
])
def test_startup_warning_names_the_setting_and_the_fix(options, words):
    warning = startup_warning(options)
    assert warning is not None
    assert "until its first failure opens the breaker" in warning
    for word in words:
        assert word in warning, (word, warning)


@pytest.mark.parametrize("options", [
    pytest.param(redis("?socket_timeout=1&socket_connect_timeout=1"), id="redis-advised"),
    pytest.param(redis("?socket_timeout=2.5"), id="redis-at-the-limit"),
    pytest.param({"type": "ext:memcached", "url": "127.0.0.1:11211"}, id="memcached"),
    pytest.param({"type": "ext:database", "url": "sqlite:///x.db"}, id="sqlite"),
])
def test_no_warning_for_short_waits(options):
    assert startup_warning(options) is None


def test_the_limit_is_a_parameter():
    assert startup_warning(redis("?socket_timeout=1&socket_connect_timeout=1"), limit=1)
    assert startup_warning(redis("?socket_timeout=10"), limit=60) is None


# -- the option --------------------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [
    pytest.param("0.2", 0.2, id="string-fraction"),
    pytest.param("1", 1.0, id="string"),
    pytest.param(0, 0.0, id="zero"),
    pytest.param(2.5, 2.5, id="float"),
])
def test_store_probe_interval(value, expected):
    assert settings.parse(store_probe_interval=value).store_probe_interval == expected
    assert settings.parse({"session_timeout.store_probe_interval": str(value)}
                          ).store_probe_interval == expected


def test_store_probe_interval_default():
    assert settings.parse().store_probe_interval == 1.0


@pytest.mark.parametrize("value", ["-1", "soon", True, float("nan"), "inf", [1]])
def test_bad_store_probe_interval(value):
    with pytest.raises(ValueError) as info:
        settings.parse(store_probe_interval=value)
    assert "store_probe_interval" in str(info.value) and repr(value) in str(info.value)


class FakeRetry(object):
    """The shape of redis-py's ``Retry`` the check reads (plain data, no redis-py)."""

    def __init__(self, retries, cap=None, base=None):
        self._retries = retries
        self._backoff = type(str("Backoff"), (object,), {"_cap": cap, "_base": base})()


class ClientShape(object):
    """The shape of a redis-py client the check reads."""

    def __init__(self, **connection_kwargs):
        self.connection_pool = type(str("Pool"), (object,), {
            "connection_kwargs": connection_kwargs})()


@pytest.mark.parametrize("client, seconds", [
    pytest.param(ClientShape(socket_timeout=1, retry=FakeRetry(3, cap=10, base=1)),
                 4 * 2 + 2 + 4 + 8, id="redis-py-6-default-retry"),
    pytest.param(ClientShape(socket_timeout=1, socket_connect_timeout=1,
                             retry=FakeRetry(0)), 2, id="no-retry"),
    pytest.param(ClientShape(socket_timeout=1, retry_on_timeout=True), 4, id="retry-on-timeout"),
    pytest.param(ClientShape(retry=FakeRetry(3)), None, id="no-timeout"),
])
def test_a_redis_client_object(client, seconds):
    options = {"type": "ext:redis", "url": client}
    assert store_wait(options).seconds == seconds
    assert (startup_warning(options) is None) == (seconds is not None and seconds <= 5)
