"""The add-on's own page: plain HTML, CSS and JavaScript from ``web/``, served by the API's server.

The page asks the API for everything with relative URLs, so it works at ``/`` on the API port and
under the path Home Assistant's ingress gives it (``/api/hassio_ingress/…/``, announced in the
``X-Ingress-Path`` header, which becomes the page's ``<base href>``). No file holds a secret.
"""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

from aiohttp import web

from .page_session import sign_in, sign_out

WEB_DIR = Path(__file__).with_name("web")
STATIC_PREFIX = "/static/"
# What the Supervisor puts in X-Ingress-Path: /api/hassio_ingress/<session token>
_INGRESS_PATH = re.compile(r"^/api/hassio_ingress/[A-Za-z0-9_-]+$")
_BASE_PLACEHOLDER = '<base href="/">'
_SECURITY_HEADERS = {
    # Everything comes from this server; nothing may load from anywhere else.
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
        "frame-ancestors 'self'; base-uri 'self'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-cache",
}


def is_page_path(path: str) -> bool:
    """The page's own files, which need no token (they hold no data)."""
    return path == "/" or path.startswith(STATIC_PREFIX)


@cache
def _index() -> str:
    return (WEB_DIR / "index.html").read_text(encoding="utf-8")


def base_href(ingress_path: str | None) -> str:
    """Where the page's relative URLs start: the ingress path, or the server's root."""
    if ingress_path and _INGRESS_PATH.match(ingress_path):
        return ingress_path + "/"
    return "/"


async def get_index(request: web.Request) -> web.Response:
    base = html.escape(base_href(request.headers.get("X-Ingress-Path")), quote=True)
    page = _index().replace(_BASE_PLACEHOLDER, f'<base href="{base}">', 1)
    return web.Response(
        text=page, content_type="text/html", charset="utf-8", headers=_SECURITY_HEADERS
    )


def add_page_routes(app: web.Application, token: str) -> None:
    """The page and its files, and the page's sign-in (``/api/session``, docs/api.md)."""

    async def post_session(request: web.Request) -> web.Response:
        return sign_in(request, token)

    async def delete_session(_request: web.Request) -> web.Response:
        return sign_out()

    app.router.add_get("/", get_index)
    app.router.add_static(STATIC_PREFIX, WEB_DIR, append_version=False)
    app.router.add_post("/api/session", post_session)
    app.router.add_delete("/api/session", delete_session)
