import pytest

from wsgi_session_timeout.expiry import (
    ABSOLUTE, ACTIVE, ANONYMOUS_VERDICT, EXPIRED, IDLE, judge, judge_lost, needs_touch)

T = 1700000000.0


@pytest.mark.parametrize("login, seen, now, idle, absolute, state, reason, left", [
    pytest.param(T, T, T, 600, None, ACTIVE, None, 600, id="fresh"),
    pytest.param(T, T, T + 599.5, 600, None, ACTIVE, None, 0, id="half-second-left-rounds-down"),
    pytest.param(T, T, T + 600, 600, None, EXPIRED, IDLE, None, id="idle-deadline-is-expired"),
    pytest.param(T, T + 500, T + 900, 600, None, ACTIVE, None, 200, id="activity-moves-idle"),
    pytest.param(T, T + 500, T + 900, 600, 1000, ACTIVE, None, 100, id="absolute-nearer"),
    pytest.param(T, T + 999, T + 1000, 600, 1000, EXPIRED, ABSOLUTE, None, id="absolute-whatever-activity"),
    pytest.param(T, T, T + 10 ** 6, None, None, ACTIVE, None, None, id="no-clocks"),
    pytest.param(T, T, T + 700, None, 1000, ACTIVE, None, 300, id="idle-off"),
    pytest.param(T + 50, T + 50, T, 600, None, ACTIVE, None, 600, id="future-login-is-now"),
    pytest.param(T, T + 10 ** 6, T + 100, 600, None, ACTIVE, None, 600, id="future-seen-is-now"),
    pytest.param(T, T - 100, T + 1, 600, None, ACTIVE, None, 599, id="seen-before-login-is-login"),
    pytest.param("x", T, T, 600, None, EXPIRED, ABSOLUTE, None, id="garbage-login-fails-closed"),
    pytest.param(T, None, T, 600, None, EXPIRED, IDLE, None, id="missing-seen-fails-closed"),
    pytest.param(float("nan"), T, T, 600, None, EXPIRED, ABSOLUTE, None, id="nan-login"),
    pytest.param(T, float("inf"), T, 600, None, EXPIRED, IDLE, None, id="inf-seen"),
    pytest.param(True, T, T, 600, None, EXPIRED, ABSOLUTE, None, id="bool-is-not-a-time"),
])
def test_judge(login, seen, now, idle, absolute, state, reason, left):
    verdict = judge(login, seen, now, idle, absolute)
    assert (verdict.state, verdict.reason, verdict.expires_in) == (state, reason, left)


def test_verdict_error_codes():
    assert judge(T, T, T, 60, None).error == "login_required"  # never asked of an active one
    assert judge(T, T, T + 60, 60, None).error == "session_expired"
    assert ANONYMOUS_VERDICT.error == "login_required"
    assert not ANONYMOUS_VERDICT.signed_in and ANONYMOUS_VERDICT.expires_in is None


@pytest.mark.parametrize("login, now, absolute, reason", [
    pytest.param(T, T + 100, None, IDLE, id="no-absolute"),
    pytest.param(T, T + 100, 1000, IDLE, id="within-absolute"),
    pytest.param(T, T + 1000, 1000, ABSOLUTE, id="past-absolute"),
    pytest.param("junk", T, 1000, ABSOLUTE, id="junk-with-absolute"),
])
def test_judge_lost_is_always_expired(login, now, absolute, reason):
    verdict = judge_lost(login, now, absolute)
    assert verdict.state == EXPIRED and verdict.reason == reason


@pytest.mark.parametrize("seen, now, interval, touch", [
    pytest.param(T, T + 59, 60, False, id="inside-interval"),
    pytest.param(T, T + 60, 60, True, id="interval-reached"),
    pytest.param(T, T, 0, True, id="zero-interval-always"),
    pytest.param(None, T, 60, True, id="never-seen"),
    pytest.param("bad", T, 60, True, id="bad-value"),
])
def test_needs_touch(seen, now, interval, touch):
    assert needs_touch(seen, now, interval) is touch
