"""Over ASGI (``balcao serve --asgi``) a streamed response is sent as it is read, not read
whole into memory first (balcao.ops.middleware.AsyncStreamingMiddleware)."""

from __future__ import annotations

import io
import warnings

from django.core.handlers.asgi import ASGIHandler
from django.http import FileResponse, StreamingHttpResponse
from django.test import AsyncRequestFactory, RequestFactory

from balcao.ops.middleware import STREAM_BATCH, AsyncStreamingMiddleware
from tests.loops import run

PARTS = 4 * STREAM_BATCH


class Counted:
    """An export's rows, counting how many were read."""

    def __init__(self) -> None:
        self.read = 0

    def __iter__(self):
        for n in range(PARTS):
            self.read += 1
            yield f"{n};linha\n"


def _send(response) -> tuple[list[dict], list[int], list[warnings.WarningMessage]]:
    """What Django's ASGI handler sends for ``response``, and how many parts the response's
    iterator had given each time a piece of body went out."""
    messages: list[dict] = []
    read_at_send: list[int] = []

    async def send(message):
        messages.append(message)
        if message["type"] == "http.response.body":
            read_at_send.append(getattr(response, "counted", Counted()).read)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run(lambda: ASGIHandler().send_response(response, send))
    return messages, read_at_send, caught


def _through_middleware(request, response):
    return AsyncStreamingMiddleware(lambda _request: response)(request)


def _export() -> StreamingHttpResponse:
    rows = Counted()
    response = StreamingHttpResponse(iter(rows), content_type="text/csv")
    response.counted = rows
    return response


def test_an_export_is_sent_while_it_is_read_over_asgi():
    response = _through_middleware(AsyncRequestFactory().get("/console/auditoria/"), _export())
    messages, read_at_send, caught = _send(response)
    assert not [w for w in caught if "synchronous iterators" in str(w.message)]
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    assert body == b"".join(f"{n};linha\n".encode() for n in range(PARTS))
    # The first piece went out after one batch had been read, not after all of them.
    assert read_at_send[0] <= STREAM_BATCH < PARTS


def test_without_the_middleware_django_reads_it_whole_first():
    """What the middleware is for: Django's own handling of the same response."""
    messages, read_at_send, caught = _send(_export())
    assert any("synchronous iterators" in str(w.message) for w in caught)
    assert read_at_send[0] == PARTS


def test_a_file_is_streamed_in_order_with_its_headers():
    data = bytes(range(256)) * 4096 * 3  # 3 MB: three batches of 4 KB blocks
    response = _through_middleware(
        AsyncRequestFactory().get("/"),
        FileResponse(io.BytesIO(data), as_attachment=True, filename="guia.pdf"),
    )
    messages, _read, caught = _send(response)
    start = messages[0]
    assert start["type"] == "http.response.start"
    headers = dict(start["headers"])
    assert headers[b"Content-Length"] == str(len(data)).encode()
    assert b"guia.pdf" in headers[b"Content-Disposition"]
    bodies = [m["body"] for m in messages if m["type"] == "http.response.body" and m.get("body")]
    assert b"".join(bodies) == data and len(bodies) > 1
    assert not [w for w in caught if "synchronous iterators" in str(w.message)]


def test_under_wsgi_the_response_is_left_as_it_is():
    response = _export()
    iterator = response._iterator
    assert _through_middleware(RequestFactory().get("/"), response) is response
    assert response._iterator is iterator and not response.is_async
