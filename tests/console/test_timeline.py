"""The case page's thread and history written in Python (console.timeline) give the markup
the template loops gave (whitespace aside), escaped, in each language."""

from __future__ import annotations

import re

import pytest
from django.template import engines
from django.utils import translation

from balcao.cases import services
from balcao.cases.models import Attachment, CaseEvent, Message
from balcao.console import case_views, timeline

pytestmark = pytest.mark.django_db

# The loops console/case_detail.html had before (issue 19, the case page benchmark).
OLD_MESSAGES = """{% load i18n %}{% for message in messages_list %}
  <li class="message {{ message.author_kind }}{% if message.internal %} internal{% endif %}">
    <p class="meta"><strong>{% if message.internal %}{% translate "Nota interna" %} · {% endif %}{{ message.author_label }}{% if message.author_user %} ({{ message.author_user }}){% endif %}</strong> · {{ message.created_at|date:"SHORT_DATETIME_FORMAT" }}</p>
    <div class="body">{{ message.body|linebreaksbr }}</div>
    {% if message.html %}<details class="formatted"><summary>{% translate "Ver formatado" %}</summary><iframe sandbox="allow-popups allow-popups-to-escape-sandbox" loading="lazy" title="{% translate "E-mail formatado" %}" srcdoc="{{ message.html }}"></iframe></details>{% endif %}{% if message.attachments.all %}<ul class="attachments">{% for a in message.attachments.all %}<li><a href="{% url 'console:attachment_download' case.pk a.pk %}">{{ a.filename }}</a> ({{ a.size|filesizeformat }})</li>{% endfor %}</ul>{% endif %}
  </li>{% empty %}<li>{% translate "Nenhuma mensagem." %}</li>{% endfor %}"""  # noqa: E501
OLD_HISTORY = """{% for event in history %}
  <li><time datetime="{{ event.at|date:'c' }}">{{ event.at|date:"SHORT_DATETIME_FORMAT" }}</time> · {{ event.actor_label }} · {{ event.action_label }}{% if event.field %}: {{ event.old_value|default:"—" }} → {{ event.new_value }}{% elif event.new_value %}: {{ event.new_value }}{% endif %}{% if event.reason %} <em>({{ event.reason }})</em>{% endif %}</li>
{% endfor %}"""  # noqa: E501


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).replace("> <", "><").strip()


@pytest.fixture
def busy_case(open_case, staff):
    case = open_case(subject='Marca "Sol" <script>')
    services.do_add_message(
        case, "Linha 1\nLinha 2 <b>negrito</b> & 'aspas'", actor=staff["supervisor"]
    )
    services.do_add_message(case, "Só para a equipe", actor=staff["agent"], internal=True)
    message = services.do_add_message(case, "Com anexo", actor=staff["supervisor"])
    Attachment.objects.create(
        case=case, message=message, file="x/a.pdf", filename='laudo "final".pdf', size=123456
    )
    # an e-mail's sanitised HTML (balcao.mail.html): shown escaped inside srcdoc
    Message.objects.filter(pk=message.pk).update(html="<p>Olá &amp; \"<b>até</b>\" 'já'</p>")
    CaseEvent.objects.create(
        case=case,
        actor_label="Fulano <de Tal>",
        action=CaseEvent.Action.UPDATED,
        field="subject",
        old_value="",
        new_value="Novo & <assunto>",
        reason="pedido 'do' requerente",
    )
    return case


@pytest.mark.parametrize("language", ["pt-br", "pt-pt", "en"])
def test_thread_and_history_as_the_template_wrote_them(busy_case, language):
    case = busy_case
    messages = case.messages.select_related("author_user").prefetch_related("attachments")
    history = case.history.select_related("actor")
    django = engines["django"]
    with translation.override(language):
        old_messages = django.from_string(OLD_MESSAGES).render(
            {"messages_list": messages, "case": case}
        )
        old_history = django.from_string(OLD_HISTORY).render({"history": history})
        new_messages = timeline.messages_html(
            messages, attachment_url=case_views._attachment_url_maker(case.pk)
        )
        new_history = timeline.history_html(history)
    assert squeeze(new_messages) == squeeze(old_messages)
    assert squeeze(new_history) == squeeze(old_history)
    assert "<script>" not in new_messages + new_history
    assert "&lt;b&gt;negrito&lt;/b&gt;" in new_messages and "Linha 1<br>Linha 2" in new_messages
    assert 'srcdoc="&lt;p&gt;Olá &amp;amp; &quot;&lt;b&gt;até' in new_messages
    assert case.history.count() >= 5 and new_history.count("<li>") == case.history.count()


def test_an_empty_thread_says_so(open_case):
    case = open_case()
    case.messages.all().delete()
    with translation.override("en"):
        html = timeline.messages_html(case.messages.all(), attachment_url=str)
    assert squeeze(html) == "<li>No messages.</li>"
