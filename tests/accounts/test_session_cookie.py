"""The session cookie survives a request that still carried the key a proof just renewed
(balcao.accounts.middleware.SessionMiddleware): the chat widget's badge, fetched with the old
key a moment before the proof link's ``cycle_key()``, must not delete the new cookie."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.conf import settings
from django.core import signing
from django.test import Client
from django.urls import reverse

from balcao.cases.followup import EMAIL_SESSION_KEY, PROOF_SALT

pytestmark = pytest.mark.django_db

COOKIE = settings.SESSION_COOKIE_NAME


def _proof_url(email: str) -> str:
    token = signing.dumps({"email": email, "nonce": "n-cookie"}, salt=PROOF_SALT)
    return reverse("portal:my_cases_proof", args=[token])


def test_a_request_with_the_key_before_the_proof_keeps_the_new_cookie():
    client = Client()
    client.get(reverse("portal:my_cases_request"), {"next": reverse("portal:chat_new")})
    old_key = client.cookies[COOKIE].value
    client.get(_proof_url("maria@example.com"))  # the key is renewed, with the proof
    new_key = client.cookies[COOKIE].value
    assert new_key != old_key

    # the badge's fetch, sent with the old key before the proof's answer arrived
    late = Client()
    late.cookies[COOKIE] = old_key
    response = late.get(reverse("portal:chat_unread"))
    assert response.json() == {"unread": 0}
    assert COOKIE not in response.cookies  # Django's own middleware deletes it here
    assert "Cookie" in response["Vary"]

    # the browser still holds the proof
    store = import_module(settings.SESSION_ENGINE).SessionStore(new_key)
    assert store[EMAIL_SESSION_KEY]["email"] == "maria@example.com"
    response = client.get(reverse("portal:chat_my_data"))
    assert not response.get("Location", "").startswith(reverse("portal:my_cases_request"))


def test_signing_out_still_deletes_the_cookie(django_user_model):
    client = Client()
    user = django_user_model.objects.create_user("ana", password="senha-de-teste-123")
    client.force_login(user)
    response = client.post(reverse("accounts:logout"))
    assert response.cookies[COOKIE].value == ""
    assert response.cookies[COOKIE]["max-age"] == 0
