"""Where the case core asks the deadline engine (issue: deadline engine).

``initial_due`` gives a new case its due instant from its channel's policy;
``state_changed`` pauses/resumes or restarts the clock as the policy says.
Until the engine is wired they leave the case as it is.
"""

from __future__ import annotations


def initial_due(case):
    return None


def state_changed(case, old_state, new_state) -> None:
    return None
