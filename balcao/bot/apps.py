from django.apps import AppConfig


class BotConfig(AppConfig):
    name = "balcao.bot"
    label = "bot"
    verbose_name = "Chatbot"
