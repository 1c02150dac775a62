"""The ingress port: the same API and page, for Home Assistant's ingress proxy only.

Home Assistant signs its users in and proxies the add-on's panel through the Supervisor, whose
requests come from one address on the add-on network (172.30.32.2). On this port the server
answers that address alone, and asks for no token: the page in the panel never holds one.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from .http_errors import ApiError

_LOGGER = logging.getLogger(__name__)


def ingress_only(peer: str) -> Any:
    """Middleware refusing every request that does not come from ``peer``."""

    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        if request.remote != peer:
            _LOGGER.debug("Ingress port: refused a request from %s", request.remote)
            message = "This port answers Home Assistant's ingress only; use the API port"
            return ApiError(403, "forbidden", message).response()
        response: web.StreamResponse = await handler(request)
        return response

    return middleware
