"""How the page signs in on the API port: the API token, given once, becomes a session cookie.

A browser cannot put an ``Authorization`` header on what ``<audio>``, ``EventSource`` and download
links fetch, so the page posts the token once (``POST /api/session``) and gets an HttpOnly cookie
that scripts cannot read. The cookie's value is derived from the token (changing the token ends
every session) and is never the token itself. Against cross-site requests: the cookie is
``SameSite=Strict``, and a request that changes something (any method but GET and HEAD) must also
carry the ``X-Scribe-Page`` header, which another site's page cannot send without a CORS
permission this server never grants.

On the ingress port none of this applies: Home Assistant has signed the user in already.
"""

from __future__ import annotations

import hashlib
import hmac

from aiohttp import web

from .api_token import token_matches
from .http_errors import ApiError

COOKIE = "scribe_session"
PAGE_HEADER = "X-Scribe-Page"
_SAFE_METHODS = {"GET", "HEAD"}


def session_value(token: str) -> str:
    return hmac.new(token.encode(), b"meeting-scribe page session", hashlib.sha256).hexdigest()


def has_session(request: web.Request, token: str) -> bool:
    """Whether the request comes from a page that signed in with ``token``."""
    cookie = request.cookies.get(COOKIE)
    if cookie is None or not hmac.compare_digest(cookie.encode(), session_value(token).encode()):
        return False
    return request.method in _SAFE_METHODS or PAGE_HEADER in request.headers


def sign_in(request: web.Request, token: str) -> web.Response:
    """``POST /api/session`` with the bearer token: the session cookie."""
    if not token_matches(token, request.headers.get("Authorization")):
        raise ApiError(401, "unauthorized", "The API token is wrong")
    response = web.Response(status=204)
    response.set_cookie(COOKIE, session_value(token), path="/", httponly=True, samesite="Strict")
    return response


def sign_out() -> web.Response:
    """``DELETE /api/session``: the cookie is forgotten."""
    response = web.Response(status=204)
    response.del_cookie(COOKIE, path="/")
    return response
