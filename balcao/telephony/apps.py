from django.apps import AppConfig


class TelephonyConfig(AppConfig):
    """The phone contact centre (issue 23; seed 003, the Portuguese patent office's tender):
    calls and agents' time taken from Asterisk's ``queue_log``, and the tender's reports."""

    name = "balcao.telephony"
    label = "telephony"
    verbose_name = "Telefonia"
