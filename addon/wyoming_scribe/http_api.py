"""The HTTP door (docs/api.md): routes, bearer-token auth, JSON errors. Meeting logic lives in
``MeetingService``; this module translates HTTP to calls on it and its answers back."""

from __future__ import annotations

import errno
import json
import logging
from typing import Any

from aiohttp import web

from . import __version__
from .api_token import token_matches
from .audio_source import SourceError
from .engine import Engine, ModelUnavailableError
from .exports import EXPORTS
from .file_source import InvalidAudioError
from .http_audio import serve_wav
from .http_errors import ApiError
from .http_events import meeting_events, server_events
from .http_ingress import ingress_only
from .http_page import add_page_routes, is_page_path
from .http_uploads import receive_upload
from .meeting import MeetingRequest, MeetingRequestError, Source
from .meeting_run import NotRecordingError
from .meeting_service import AlreadyRecordingError, MeetingNotFoundError, MeetingService
from .model_source import model_display_name
from .page_session import has_session

_LOGGER = logging.getLogger(__name__)
SERVICE: web.AppKey[MeetingService] = web.AppKey("service", MeetingService)
ENGINE: web.AppKey[Engine] = web.AppKey("engine", Engine)
TOKEN: web.AppKey[str] = web.AppKey("token", str)
SERVER_ID: web.AppKey[str] = web.AppKey("server_id", str)
MAX_UPLOAD_BYTES: web.AppKey[int] = web.AppKey("max_upload_bytes", int)
_PUBLIC = {"/api/health"}


def as_api_error(err: Exception) -> ApiError | None:
    """The API's answer to an exception raised below it (None: an unexpected failure)."""
    rules: list[tuple[type[Exception], int, str]] = [
        (MeetingNotFoundError, 404, "not_found"),
        (AlreadyRecordingError, 409, "already_recording"),
        (NotRecordingError, 409, "not_recording"),
        (MeetingRequestError, 400, "bad_request"),
        (InvalidAudioError, 400, "invalid_audio"),
        (ModelUnavailableError, 503, "model_unavailable"),
        (SourceError, 500, "internal_error"),
    ]
    for kind, status, code in rules:
        if isinstance(err, kind):
            return ApiError(status, code, str(err))
    if isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT):
        return ApiError(503, "disk_full", "The disk holding the recordings is full")
    return None


def _http_error(err: web.HTTPException) -> ApiError:
    if err.status == 404:
        return ApiError(404, "not_found", "No such API route")
    if err.status == 413:
        return ApiError(413, "too_large", "The request body is too large")
    code = "internal_error" if err.status >= 500 else "bad_request"
    return ApiError(err.status, code, err.reason)


@web.middleware
async def errors_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        response: web.StreamResponse = await handler(request)
    except ApiError as err:
        return err.response()
    except web.HTTPException as err:
        if err.status < 400:
            raise
        return _http_error(err).response()
    except ConnectionResetError:
        raise  # the client left in the middle of a streamed answer: nobody to tell
    except Exception as err:
        api_error = as_api_error(err)
        if api_error is None:
            _LOGGER.exception("%s %s failed", request.method, request.path)
            api_error = ApiError(500, "internal_error", f"Unexpected failure: {err}")
        return api_error.response()
    return response


@web.middleware
async def auth_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    if request.path not in _PUBLIC and not is_page_path(request.path):
        token, authorization = request.app[TOKEN], request.headers.get("Authorization")
        if not (token_matches(token, authorization) or has_session(request, token)):
            message = "A valid 'Authorization: Bearer TOKEN' header is required"
            response = ApiError(401, "unauthorized", message).response()
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
    answer: web.StreamResponse = await handler(request)
    return answer


async def health(app: web.Application) -> dict[str, Any]:
    engine, service = app[ENGINE], app[SERVICE]
    model, languages = model_display_name(engine.settings.model), []
    if engine.status == "ok":
        transcriber = await engine.transcriber()
        model, languages = transcriber.source.display_name, transcriber.languages
    return {
        "status": engine.status,
        "server_id": app[SERVER_ID],
        "version": __version__,
        "model": model,
        "compute_type": engine.settings.compute_type,
        "languages": languages,
        "queue_depth": engine.queue.depth,
        "recording": service.recording_id,
        "disk_free_bytes": service.disk_free_bytes(),
        "error": engine.load_error,
    }


routes = web.RouteTableDef()


@routes.get("/api/health")
async def get_health(request: web.Request) -> web.Response:
    return web.json_response(await health(request.app))


@routes.post("/api/meetings")
async def start_meeting(request: web.Request) -> web.Response:
    body = await _json_object(request)
    if body.get("source", "mic") != Source.MIC:
        raise ApiError(
            400, "bad_request", "source must be 'mic'; POST /api/transcriptions takes files"
        )
    meeting_request = MeetingRequest.from_fields(
        body.get("title"), body.get("participants"), body.get("language")
    )
    meeting = await request.app[SERVICE].start_mic(meeting_request)
    return web.json_response(meeting.to_json([]), status=201)


@routes.get("/api/meetings")
async def list_meetings(request: web.Request) -> web.Response:
    service, query = request.app[SERVICE], request.query.get("q", "")
    meetings = service.search(query) if query.strip() else service.list_meetings()
    return web.json_response({"meetings": [m.summary() for m in meetings]})


@routes.get("/api/meetings/{id}")
async def get_meeting(request: web.Request) -> web.Response:
    service, meeting_id = request.app[SERVICE], request.match_info["id"]
    meeting = service.get(meeting_id)
    return web.json_response(meeting.to_json(service.segments(meeting_id)))


@routes.delete("/api/meetings/{id}")
async def delete_meeting(request: web.Request) -> web.Response:
    await request.app[SERVICE].delete(request.match_info["id"])
    return web.Response(status=204)


@routes.post("/api/meetings/{id}/stop")
async def stop_meeting(request: web.Request) -> web.Response:
    service, meeting_id = request.app[SERVICE], request.match_info["id"]
    meeting = await service.stop(meeting_id)
    return web.json_response(meeting.to_json(service.segments(meeting_id)), status=202)


@routes.get("/api/meetings/{id}/transcript.{format}")
async def get_transcript(request: web.Request) -> web.Response:
    service, meeting_id = request.app[SERVICE], request.match_info["id"]
    meeting = service.get(meeting_id)
    export = EXPORTS.get(request.match_info["format"])
    if export is None:
        raise ApiError(404, "not_found", f"No export format; choose one of {', '.join(EXPORTS)}")
    text = export.render(meeting, service.segments(meeting_id))
    extension = request.match_info["format"]
    return web.Response(
        text=text,
        content_type=export.media_type,
        charset="utf-8",
        headers={"Content-Disposition": f'inline; filename="{meeting_id}.{extension}"'},
    )


@routes.get("/api/meetings/{id}/audio")
async def get_audio(request: web.Request) -> web.StreamResponse:
    return await serve_wav(request, request.app[SERVICE], request.match_info["id"])


@routes.get("/api/meetings/{id}/events")
async def get_meeting_events(request: web.Request) -> web.StreamResponse:
    return await meeting_events(request, request.app[SERVICE], request.match_info["id"])


@routes.get("/api/events")
async def get_events(request: web.Request) -> web.StreamResponse:
    hello = await health(request.app)
    return await server_events(request, request.app[SERVICE], hello)


@routes.post("/api/transcriptions")
async def post_transcription(request: web.Request) -> web.Response:
    service = request.app[SERVICE]
    upload = await receive_upload(request, service.new_upload(), request.app[MAX_UPLOAD_BYTES])
    try:
        meeting_request = MeetingRequest.from_fields(
            upload.fields.get("title"), upload.participants(), upload.fields.get("language")
        )
        meeting = await service.start_file(upload.path, meeting_request, upload.filename)
    finally:
        upload.path.unlink(missing_ok=True)  # moved into the meeting unless rejected
    return web.json_response(meeting.to_json([]), status=202)


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ApiError(400, "bad_request", f"The body is not valid JSON: {err}") from err
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "The body must be a JSON object")
    return body


def build_app(
    service: MeetingService,
    engine: Engine,
    *,
    token: str,
    server_id: str,
    max_upload_bytes: int,
    ingress_peer: str | None = None,
) -> web.Application:
    """The API and the page; with ``ingress_peer``, for that address alone and with no token."""
    access = ingress_only(ingress_peer) if ingress_peer else auth_middleware
    app = web.Application(middlewares=[errors_middleware, access])
    app[SERVICE], app[ENGINE], app[TOKEN], app[SERVER_ID] = service, engine, token, server_id
    app[MAX_UPLOAD_BYTES] = max_upload_bytes
    app.add_routes(routes)
    add_page_routes(app, token)
    return app
