"""A mail backend whose server refuses every recipient (as an SMTP 550 would)."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({"maria@example.com": (550, b"mailbox unavailable")})
