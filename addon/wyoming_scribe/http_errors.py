"""The API's errors: JSON with a stable code and a sentence for people (docs/api.md)."""

from __future__ import annotations

from aiohttp import web


class ApiError(Exception):
    """Raised by a route to answer with an error."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def response(self) -> web.Response:
        return web.json_response({"error": self.code, "message": self.message}, status=self.status)
