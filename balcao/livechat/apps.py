from django.apps import AppConfig


class LivechatConfig(AppConfig):
    """The live chat with people (issue 24; seed 004, IPM Atende.Net; seed 002's hand-off
    from the bot): conversations on the case core over websockets (Channels)."""

    name = "balcao.livechat"
    label = "livechat"
    verbose_name = "Chat"
