"""Placeholder: the person's side of the live chat (issue 24)."""

urlpatterns: list = []
