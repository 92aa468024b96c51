"""Optional: an OpenAI-compatible endpoint rephrases an answer from its article only.

Off by default (``BALCAO_LLM_URL`` unset). With it unset, unreachable, slow or
returning nonsense, the bot answers exactly as without it: the article's text.
The rephrased answer always cites the article it came from.

The question leaves Balcão masked (balcao.masking.mask: CPF, CNPJ, card numbers,
passwords), like every transcript we store: the endpoint is a third party (LGPD art. 6,
III, necessity: it needs the gist of the question, not the person's documents).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request

from django.conf import settings

from balcao.masking import mask

logger = logging.getLogger(__name__)

PROMPT = (
    "Reescreva a resposta abaixo de forma clara e cordial para a pergunta do cidadão, "
    "usando SOMENTE as informações da resposta. Não invente nada. Responda em {lang}."
)


def rephrase(question: str, answer: str, language: str) -> str:
    url = settings.BALCAO_LLM_URL
    if not url:
        return answer
    payload = {
        "model": settings.BALCAO_LLM_MODEL,
        "temperature": 0,
        "messages": [
            {"role": "system", "content": PROMPT.format(lang=language)},
            {
                "role": "user",
                "content": f"Pergunta: {mask(question)}\n\nResposta oficial: {answer}",
            },
        ],
    }
    request = urllib.request.Request(  # noqa: S310 — operator-configured endpoint
        url.rstrip("/") + "/chat/completions",
        data=json.dumps(payload).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {settings.BALCAO_LLM_KEY}",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.BALCAO_LLM_TIMEOUT) as response:  # noqa: S310
            data = json.loads(response.read())
        text = data["choices"][0]["message"]["content"].strip()
    except (urllib.error.URLError, OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        logger.warning("LLM rephrasing failed, using the article text: %s", exc)
        return answer
    if not text:
        return answer
    source = (
        "Source: knowledge base" if language.startswith("en") else "Fonte: base de conhecimento"
    )
    return f"{text}\n\n({source})"
