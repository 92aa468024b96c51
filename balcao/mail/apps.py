from django.apps import AppConfig


class MailConfig(AppConfig):
    """The e-mail channel: reading messages (``balcao.mail.parsing``, pure) and, later,
    fetching them from IMAP and threading them into cases."""

    name = "balcao.mail"
    label = "mail"
    verbose_name = "E-mail"

    def ready(self) -> None:
        from balcao.mail.contact_centre import MailFigures
        from balcao.telephony import services

        services.register_email_figures(MailFigures())
