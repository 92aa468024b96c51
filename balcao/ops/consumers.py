"""Websocket endpoints of the platform itself: ``/ws/health/`` answers ``{"status": "ok"}``
and closes — what a monitor (and the tests of ``balcao serve``) use to see that the
websocket path works through the front (``balcao.ops.front``) on the public port."""

from __future__ import annotations

from channels.generic.websocket import AsyncJsonWebsocketConsumer


class HealthConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        await self.accept()
        await self.send_json({"status": "ok"})
        await self.close()
