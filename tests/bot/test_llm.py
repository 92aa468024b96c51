"""The optional LLM rephrasing sends the question masked (CPF, card, password), never raw:
a real HTTP listener on 127.0.0.1 records what reached it."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from balcao.bot import llm

RAW_CPF, RAW_CARD, RAW_PASSWORD = "529.982.247-25", "4111 1111 1111 1111", "Tr0ub4dor&3"


@pytest.fixture
def listener():
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            body = json.dumps({"choices": [{"message": {"content": "Resposta reescrita."}}]})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/v1", received
    server.shutdown()
    server.server_close()


def test_the_endpoint_receives_the_question_masked(settings, listener):
    settings.BALCAO_LLM_URL, received = listener
    question = (
        f"meu CPF é {RAW_CPF}, paguei com o cartão {RAW_CARD} e minha senha é "
        f"{RAW_PASSWORD}: como emito a GRU?"
    )
    answer = llm.rephrase(question, "No site do INPI.", "pt-BR")
    assert answer.startswith("Resposta reescrita.")
    sent = json.dumps(received, ensure_ascii=False)
    for secret in (RAW_CPF, RAW_CARD, RAW_PASSWORD, "52998224725"):
        assert secret not in sent, secret
    user = received[0]["messages"][-1]["content"]
    assert "[CPF]" in user and "[CARTÃO]" in user and "[SENHA]" in user
    assert "como emito a GRU?" in user and "No site do INPI." in user
