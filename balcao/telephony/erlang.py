"""Staffing from measured traffic: Erlang C (pure: no Django).

Issue 23: "Erlang C from the measured arrivals per half hour and handling time → agents
needed to reach the target service level (75 % in 30 s), with the expected ASA". Seed
``003_…txt`` sets the target: at least 75 % of received calls answered in under 30 seconds.

With ``A = arrivals × handling / interval`` erlangs offered to ``N`` agents:

- probability of waiting ``Pw = (A^N/N! · N/(N−A)) / (Σ_{k<N} A^k/k! + A^N/N! · N/(N−A))``;
- service level at ``t`` seconds ``SL = 1 − Pw · e^{−(N−A)·t/handling}``;
- average speed of answer ``ASA = Pw · handling / (N − A)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Staffing:
    agents: int
    load_erlangs: float
    probability_of_waiting: float
    service_level: float
    average_speed_of_answer: float


def erlang_c(load: float, agents: int) -> float:
    """Probability that a call waits, for ``load`` erlangs offered to ``agents`` agents
    (1.0 when the agents cannot keep up: ``agents <= load``)."""
    if agents <= load:
        return 1.0
    # Erlang B by its stable recurrence, then C from B.
    b = 1.0
    for k in range(1, agents + 1):
        b = load * b / (k + load * b)
    return agents * b / (agents - load * (1 - b))


def evaluate(arrivals: float, handling_seconds: float, interval_seconds: float, agents: int,
             target_seconds: float) -> Staffing:  # fmt: skip
    load = arrivals * handling_seconds / interval_seconds
    waiting = erlang_c(load, agents)
    if agents <= load:
        return Staffing(agents, load, 1.0, 0.0, math.inf)
    service = 1 - waiting * math.exp(-(agents - load) * target_seconds / handling_seconds)
    asa = waiting * handling_seconds / (agents - load)
    return Staffing(agents, load, waiting, service, asa)


def agents_needed(arrivals: float, handling_seconds: float, interval_seconds: float = 1800,
                  target_level: float = 0.75, target_seconds: float = 30) -> Staffing:  # fmt: skip
    """The fewest agents whose service level reaches ``target_level`` within
    ``target_seconds`` (the tender: 75 % in 30 s), with what that staffing gives."""
    if arrivals <= 0:
        return Staffing(0, 0.0, 0.0, 1.0, 0.0)
    load = arrivals * handling_seconds / interval_seconds
    agents = max(1, math.floor(load) + 1)
    while True:
        staffing = evaluate(arrivals, handling_seconds, interval_seconds, agents, target_seconds)
        if staffing.service_level >= target_level:
            return staffing
        agents += 1
