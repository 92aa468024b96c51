"""Where the case core asks the deadline engine.

``initial_due`` gives a new case its due instant from its channel's policy;
``state_changed`` pauses/resumes or restarts the clock as the policy says.
"""

from __future__ import annotations


def initial_due(case):
    from balcao.deadlines import services

    return services.initial_due(case)


def state_changed(case, old_state, new_state) -> None:
    from balcao.deadlines import services

    services.state_changed(case, old_state, new_state)
