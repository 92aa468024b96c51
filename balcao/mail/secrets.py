"""A mailbox's IMAP secret, stored encrypted (issue 22: "Secrets stored encrypted, never shown
back"). Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) under a key derived from
``BALCAO_SECRETS_KEY`` — or, when that is not set, from ``SECRET_KEY``: changing the key makes
the stored secrets unreadable, and they must be typed again."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class SecretUnreadable(Exception):
    """The stored secret was encrypted under another key."""


def _fernet() -> Fernet:
    material = getattr(settings, "BALCAO_SECRETS_KEY", "") or settings.SECRET_KEY
    digest = hashlib.sha256(b"balcao mailbox secret\0" + material.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode() if secret else ""


def unseal(sealed: str) -> str:
    if not sealed:
        return ""
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable(
            "a senha IMAP foi cifrada com outra chave: informe-a de novo"
        ) from exc
