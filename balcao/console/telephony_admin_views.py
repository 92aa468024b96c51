"""Placeholder: filled in by the contact-centre work (issue 23)."""

urlpatterns: list = []
