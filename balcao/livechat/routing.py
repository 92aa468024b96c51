"""The live chat's websocket routes (issue 24), mounted by ``balcao.asgi``."""

websocket_urlpatterns: list = []
