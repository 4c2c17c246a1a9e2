"""A fake OneDrive upload session over real HTTP on loopback: the `uploadUrl` a Teams file consent answer carries."""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from aiohttp import web


@dataclass
class Upload:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int


class FakeUploadServer:
    """Accepts `PUT /upload/{name}`; answers 201 with a driveItem, or a status queued with `fail_next`."""

    def __init__(self) -> None:
        self.uploads: list[Upload] = []
        self._failures: list[int] = []
        self._runner: web.AppRunner | None = None
        self._url: str | None = None

    async def __aenter__(self) -> Self:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_put("/upload/{name}", self._put)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self._url = f"http://{host}:{port}"
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def upload_info(self, name: str, unique_id: str = "1A2B3C") -> dict[str, Any]:
        """What Teams puts in `value.uploadInfo` when the person accepts a file consent card."""
        assert self._url is not None
        return {
            "contentUrl": f"https://contoso.sharepoint.com/personal/user/Documents/Applications/{name}",
            "name": name,
            "uploadUrl": f"{self._url}/upload/{name}",
            "uniqueId": unique_id,
            "fileType": name.rsplit(".", 1)[-1],
        }

    def fail_next(self, status: int) -> None:
        self._failures.append(status)

    async def _put(self, request: web.Request) -> web.Response:
        body = await request.read()
        status = self._failures.pop(0) if self._failures else 201
        self.uploads.append(Upload(request.path, dict(request.headers), body, status))
        if status != 201:
            return web.json_response({"error": {"code": "generalException"}}, status=status)
        return web.json_response({"id": "item-1", "name": request.match_info["name"], "size": len(body)}, status=201)
