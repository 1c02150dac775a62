"""Faults end a meeting as ``interrupted``, keep everything so far, and say why.

A full disk is simulated in-process by a store whose audio file refuses to grow (ENOSPC), and,
where this machine lets tests mount a tiny tmpfs, for real against the server process.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import pytest_socket
from tqdm import tqdm
from wyoming_scribe import engine as engine_module
from wyoming_scribe.audio_source import SourceError
from wyoming_scribe.engine import Engine, ModelUnavailableError
from wyoming_scribe.event_bus import EventBus
from wyoming_scribe.meeting import (
    Meeting,
    MeetingRequest,
    Source,
    Status,
    new_meeting_id,
    utc_now,
)
from wyoming_scribe.meeting_service import MeetingService
from wyoming_scribe.meeting_store import AudioWriter, MeetingStore
from wyoming_scribe.mic_source import MicSource
from wyoming_scribe.settings import Settings

from tests.assets import AUDIO, TOY_MODEL
from tests.server.api_client import MEETING_AUDIO, ApiClient, generated_token, mic_command
from tests.server_process import run_server

SPEECH = AUDIO / "misc/jfk.flac"
ROOM_BYTES = 5 * 32000  # the disk fills after 5 s of audio


class FakeFullDiskWriter(AudioWriter):
    """A FAKE full disk: ENOSPC after ROOM_BYTES (the real one, a tmpfs, is further below)."""

    def append(self, pcm: bytes) -> None:
        room = ROOM_BYTES - self.size
        if len(pcm) > room:
            super().append(pcm[:room])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        super().append(pcm)


class FakeFullDiskStore(MeetingStore):
    def audio_writer(self, meeting_id: str) -> AudioWriter:
        return FakeFullDiskWriter(self.audio_path(meeting_id))


@contextlib.asynccontextmanager
async def started_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model: Path = TOY_MODEL
) -> AsyncIterator[Engine]:
    """An engine in this process, its model loading; a microphone that plays SPEECH."""
    # Loading starts tqdm's monitor thread, which the harness would report as left behind.
    monkeypatch.setattr(tqdm, "monitor_interval", 0)
    settings = Settings(
        model=str(model),
        data_dir=tmp_path / "data",
        local_files_only=True,
        cpu_threads=2,
        mic_command=mic_command(SPEECH, pace=4),
    )
    engine = Engine(settings)
    await engine.start()
    try:
        yield engine
    finally:
        await engine.stop()
        engine.queue._executor.shutdown(wait=True)  # the test harness checks for leftover threads


@pytest.fixture
async def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Engine]:
    async with started_engine(tmp_path, monkeypatch) as engine:
        await engine.transcriber()
        yield engine


async def test_a_full_disk_interrupts_the_meeting_and_keeps_what_fit(
    engine: Engine, tmp_path: Path
) -> None:
    store = FakeFullDiskStore(tmp_path / "recordings")
    service = MeetingService(engine.settings, engine, store, EventBus())
    await service.open()
    meeting = await service.start_mic(MeetingRequest(title="Full disk"))

    async with asyncio.timeout(30):
        while not meeting.status.is_final:
            await asyncio.sleep(0.05)
    await service.close()

    assert meeting.status is Status.INTERRUPTED
    assert meeting.error is not None
    assert meeting.error.startswith("The disk is full")
    assert meeting.duration_s == ROOM_BYTES / 32000
    assert store.audio_path(meeting.id).stat().st_size == ROOM_BYTES
    # The 5 s that fit are transcribed, and the meeting is saved as interrupted.
    assert service.segments(meeting.id)
    assert all(s.end <= 5.5 for s in service.segments(meeting.id))
    on_disk = json.loads((store.folder(meeting.id) / "meeting.json").read_text())
    assert on_disk["status"] == "interrupted"
    assert on_disk["error"] == meeting.error
    assert service.recording_id is None


async def test_an_upload_cut_off_while_decoding_is_decoded_again_on_start(
    engine: Engine, tmp_path: Path
) -> None:
    """A crash before an upload's audio was all in the recording: decode it again, go on."""
    store = MeetingStore(tmp_path / "recordings")
    store.prepare()
    upload = tmp_path / "talk.wav"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-i", str(SPEECH), "-ar", "16000", str(upload)], check=True
    )
    now = utc_now()
    cut_off = Meeting(new_meeting_id(now), "Talk", [], None, Source.FILE, Status.FINALIZING, now)
    store.create(cut_off, upload=upload)
    store.audio_path(cut_off.id).write_bytes(bytes(32000))  # 1 s had been decoded
    service = MeetingService(engine.settings, engine, store, EventBus())

    await service.open()
    meeting = service.get(cut_off.id)
    async with asyncio.timeout(30):
        while not meeting.status.is_final:
            await asyncio.sleep(0.05)
    await service.close()

    assert meeting.status is Status.DONE
    assert meeting.recovered
    assert meeting.duration_s == pytest.approx(11.0, abs=0.1)
    assert service.segments(meeting.id)
    assert not store.upload_path(meeting.id).exists()


async def test_a_missing_microphone_program_is_explained() -> None:
    with pytest.raises(SourceError, match="no-such-recorder"):
        await MicSource("no-such-recorder -r 16000").start()


async def test_a_microphone_that_goes_silent_is_a_fault() -> None:
    mic = MicSource("sleep 30", silent_timeout_s=0.3)
    await mic.start()
    with pytest.raises(SourceError, match="sent no audio"):
        async for _chunk in mic.chunks():
            pass
    await mic.close()


async def test_a_really_full_disk_interrupts_the_meeting(tmp_path: Path, tiny_disk: Path) -> None:
    pytest_socket.enable_socket()
    args = ["--recordings-dir", str(tiny_disk), "--mic-command", mic_command(MEETING_AUDIO, 4)]
    with run_server(tmp_path, *args, http=True) as server:
        async with aiohttp.ClientSession() as session:
            api = ApiClient(session, server.http_port, generated_token(tmp_path / "data"))
            await api.wait_until_ready()
            started = await api.start_meeting(title="Tiny disk")

            meeting = await api.wait_for(started["id"], timeout=60)

            assert meeting["status"] == "interrupted"
            assert meeting["error"].startswith("The disk is full")
            assert 3 < meeting["duration_s"] < 6.2
            assert meeting["segments"]
            audio = await api.call("GET", f"/meetings/{started['id']}/audio")
            assert (len(audio.raw) - 44) / 32000 == pytest.approx(meeting["duration_s"], abs=0.01)

            refused = await api.call("POST", "/meetings", json={"title": "No room"})
            assert refused.status == 503
            assert refused.json["error"] == "disk_full"
        assert server.process.poll() is None


async def test_a_model_that_failed_is_tried_again_when_a_meeting_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "model"  # nothing there yet: the first load fails
    async with started_engine(tmp_path, monkeypatch, model) as engine:
        store = MeetingStore(tmp_path / "recordings")
        service = MeetingService(engine.settings, engine, store, EventBus())
        await service.open()
        try:
            with pytest.raises(ModelUnavailableError):
                await engine.transcriber()  # the first load, at start-up, fails
            with pytest.raises(ModelUnavailableError):
                await service.start_mic(MeetingRequest(title="No model yet"))
            assert engine.status == "error"

            shutil.copytree(TOY_MODEL, model)  # the user fixes the model
            monkeypatch.setattr(engine_module, "_RELOAD_AFTER_S", 0.0)  # and the retry is due
            meeting = await service.start_mic(MeetingRequest(title="Model back"))

            assert engine.status == "ok"
            assert meeting.status is Status.RECORDING
        finally:
            await service.close()
