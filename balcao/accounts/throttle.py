"""Login delays and windows: plain arithmetic, no Django (accounts.services adapts it).

Finding #5 of the security review: a hard lockout per username lets any stranger lock a
named admin out for as long as they keep trying. Instead, a username (or a browser that
signed in before) gets a few free failures, then must wait before each further attempt;
the wait doubles with each failure and never exceeds a ceiling, and a success starts
again from zero (the "progressive delay" of OWASP's Authentication Cheat Sheet, "Login
Throttling"). An address is limited separately, by how many different usernames it got
wrong within a fixed window.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass


@dataclass(frozen=True)
class DelayPolicy:
    """``free`` failures cost nothing; the next waits ``first`` seconds, doubling after
    each further failure, never more than ``longest`` seconds."""

    free: int
    first: int
    longest: int

    def wait_after(self, failures: int) -> int:
        """Seconds between the last attempt and the next one after ``failures`` failures."""
        if failures < self.free:
            return 0
        doublings = failures - self.free
        if doublings >= 40:  # 2**40 seconds is past any ceiling; skip the big integer
            return self.longest
        return min(self.longest, self.first * 2**doublings)

    def seconds_left(self, failures: int, last_attempt: float, now: float) -> int:
        """Seconds still to wait at ``now`` (0: an attempt may be made)."""
        return max(0, math.ceil(last_attempt + self.wait_after(failures) - now))


def window(now: float, length: int) -> tuple[int, int]:
    """The fixed window ``now`` falls in: its number and the seconds until it ends."""
    whole = int(now)
    return whole // length, length - whole % length


def minutes(seconds: int) -> int:
    """Whole minutes to tell a person to wait: rounded up, at least one."""
    return max(1, math.ceil(seconds / 60))


def address_group(ip: str | None) -> str:
    """What an address limit counts by: the IPv4 address, or the IPv6 /64 (one customer
    usually holds a whole /64, so single IPv6 addresses are free to rotate)."""
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
