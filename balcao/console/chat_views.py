"""Placeholder: the agents' side of the live chat (issue 24)."""

urlpatterns: list = []
