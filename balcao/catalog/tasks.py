"""Background work of the channel catalogue (huey discovers this module in every app)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task()
def warm_triage_example_weight() -> float:
    """Check the labelled needs against each other after they change, into the shared cache
    (balcao.catalog.services.example_weight), before a citizen's triage needs it."""
    from balcao.catalog.services import warm_example_weight

    return warm_example_weight()
