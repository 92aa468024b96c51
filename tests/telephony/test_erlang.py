"""Erlang C against published values (issue 23: 100 calls per 30 min, 180 s handling,
14 agents → probability of waiting 0.1741, service level at 20 s 0.8884, ASA 7.84 s)."""

import pytest

from balcao.telephony import erlang


def test_published_example():
    staffing = erlang.evaluate(100, 180, 1800, 14, 20)
    assert staffing.load_erlangs == pytest.approx(10.0)
    assert staffing.probability_of_waiting == pytest.approx(0.1741, abs=5e-5)
    assert staffing.service_level == pytest.approx(0.8884, abs=5e-5)
    assert staffing.average_speed_of_answer == pytest.approx(7.84, abs=5e-3)


def test_agents_needed_is_the_fewest_that_reach_the_target():
    staffing = erlang.agents_needed(100, 180, 1800, target_level=0.88, target_seconds=20)
    assert staffing.agents == 14
    fewer = erlang.evaluate(100, 180, 1800, 13, 20)
    assert fewer.service_level < 0.88


def test_too_few_agents_and_no_calls():
    assert erlang.evaluate(100, 180, 1800, 10, 30).probability_of_waiting == 1.0
    assert erlang.agents_needed(0, 180).agents == 0
