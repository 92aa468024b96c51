"""The delay arithmetic (balcao.accounts.throttle): plain pytest and hypothesis."""

from hypothesis import given
from hypothesis import strategies as st

from balcao.accounts.throttle import DelayPolicy, address_group, minutes, window

policies = st.builds(
    DelayPolicy, free=st.integers(0, 20), first=st.integers(1, 600), longest=st.integers(1, 7200)
)


def test_free_failures_then_doubling_up_to_the_ceiling():
    policy = DelayPolicy(free=5, first=30, longest=900)
    assert [policy.wait_after(n) for n in range(12)] == [
        0,
        0,
        0,
        0,
        0,
        30,
        60,
        120,
        240,
        480,
        900,
        900,
    ]


@given(policies, st.integers(0, 10**6))
def test_a_wait_is_never_longer_than_the_ceiling(policy, failures):
    assert 0 <= policy.wait_after(failures) <= max(policy.longest, 0)


@given(policies, st.integers(0, 10**4))
def test_one_more_failure_never_shortens_the_wait(policy, failures):
    assert policy.wait_after(failures + 1) >= policy.wait_after(failures)


@given(policies, st.integers(0, 100), st.floats(0, 10**4))
def test_the_wait_runs_out(policy, failures, elapsed):
    left = policy.seconds_left(failures, 1_000_000.0, 1_000_000.0 + elapsed)
    assert 0 <= left <= policy.wait_after(failures)
    assert policy.seconds_left(failures, 1_000_000.0, 1_000_000.0 + policy.longest) == 0


def test_windows_and_minutes():
    assert window(7200, 3600) == (2, 3600)
    assert window(7259.5, 3600) == (2, 3541)
    assert [minutes(s) for s in (1, 59, 60, 61, 900)] == [1, 1, 1, 2, 15]


def test_address_groups():
    assert address_group("203.0.113.9") == "203.0.113.9"
    assert address_group("::ffff:203.0.113.9") == "203.0.113.9"
    assert (
        address_group("2001:db8:1:2::1")
        == address_group("2001:db8:1:2:ffff::9")
        == "2001:db8:1:2::/64"
    )
    assert address_group("2001:db8:1:3::1") != address_group("2001:db8:1:2::1")
    assert address_group(None) == address_group("garbage") == "unknown"
