from django.urls import path

from balcao.bot import views

app_name = "bot"
urlpatterns = [
    path("chatbot/", views.chat, name="chat"),
    path("chatbot/mensagem/", views.chat_message, name="message"),
    path("chatbot/chamado/", views.chat_case, name="case"),
    path("chatbot/encerrar/", views.chat_end, name="end"),
]
