// Meeting Scribe's page: the live transcript, the meetings, the server's status.
// Plain JavaScript, no libraries. Every URL is relative to the page's <base href>, which the
// server sets to Home Assistant's ingress path when the page is opened from the sidebar.
"use strict";

const TEXT = {
  status: {
    recording: "Recording",
    finalizing: "Finishing",
    done: "Done",
    failed: "Failed",
    interrupted: "Interrupted",
  },
  serverState: { ok: "Ready", loading: "Loading the model…", error: "The model could not be loaded" },
  modelLoading:
    "The speech model is still loading. A meeting you start now is recorded, and its words appear once the model is ready.",
  modelError: (error) => `The speech model could not be loaded: ${error}`,
  diskLow: (free, hours) =>
    `Only ${free} free on the recordings disk: room for about ${hours} of recording.`,
  diskFull: "The recordings disk is full: a meeting cannot be recorded until space is freed.",
  disconnected: "The connection to the server was lost. Trying again…",
  silent: (seconds) =>
    `Nothing heard for ${seconds} seconds. Check that the microphone is plugged in, switched on and not muted.`,
  finishing: "Recording stopped. Finishing the transcript…",
  recordingFor: (time) => `Recording for ${time}`,
  participants: (n) => (n === 1 ? "1 participant" : `${n} participants`),
  noMeetings: "No meetings yet. Start one on the Live page.",
  noMatches: (query) => `No meeting mentions “${query}”.`,
  wrongToken: "The server did not accept this token.",
  failed: (message) => `The server answered: ${message}`,
  recordingNone: "No meeting is recording",
  queue: (n) => (n === 1 ? "1 segment" : `${n} segments`),
  unknown: "unknown",
  deleted: "The meeting was deleted.",
  notFound: "This meeting does not exist (any more).",
};

const SILENT_AFTER_S = 30;
const LOW_DISK_BYTES = 1024 ** 3;
const BYTES_PER_SECOND = 32000; // recordings are 16 kHz mono 16-bit
const HEALTH_EVERY_MS = 5000;
// A proxy that holds the event stream back (Home Assistant before 2026.2 compressed it in its
// ingress, and the browser saw nothing until the compressor's buffer filled): when the stream's
// first event does not come in time, the page asks every second instead.
const HELLO_WITHIN_MS = 4000;
const POLL_EVERY_MS = 1000;

const state = {
  health: null,
  connected: true,
  liveId: null, // the meeting the Live page follows
  view: null, // {name, follows: meeting id, onSegment, onMeeting, onHealth, stop}
  events: null, // the EventSource, or "polling"
  statuses: {}, // meeting id → the last status seen while polling
};

// ---- helpers ---------------------------------------------------------------------------------

class SignInNeeded extends Error {}

async function request(path, options = {}) {
  const response = await fetch("api/" + path, {
    ...options,
    headers: { "X-Scribe-Page": "1", ...(options.headers || {}) },
  });
  if (response.status === 401) {
    showSignIn();
    throw new SignInNeeded();
  }
  if (!response.ok) {
    let message = response.statusText;
    try {
      message = (await response.json()).message || message;
    } catch {
      // not JSON
    }
    throw new Error(message);
  }
  connectEvents(); // signed in (or no sign-in needed): follow the server
  return response.status === 204 ? null : response.json();
}

function $(id) {
  return document.getElementById(id);
}

function show(element, visible) {
  element.hidden = !visible;
}

function mount(templateId) {
  const view = $("view");
  view.replaceChildren($(templateId).content.cloneNode(true));
  return view;
}

function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(h ? 2 : 1, "0");
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

function when(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

function bytes(n) {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i += 1;
  }
  return `${n.toLocaleString(undefined, { maximumFractionDigits: 1 })} ${units[i]}`;
}

function hoursOf(seconds) {
  return seconds >= 3600 ? `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`
    : `${Math.floor(seconds / 60)} min`;
}

function participantNames(meeting) {
  return meeting.participants.map((p) => p.name || p.email).join(", ");
}

function isFinal(meeting) {
  return ["done", "failed", "interrupted"].includes(meeting.status);
}

function badge(element, status) {
  element.textContent = TEXT.status[status] || status;
  element.className = `badge ${status}`;
}

// ---- transcript lines (Live page and a meeting's page) -----------------------------------------

function lineKey(segment) {
  return Number(segment.start).toFixed(2);
}

function makeLine(segment, speakers, clickable) {
  const item = document.createElement("li");
  item.dataset.start = segment.start;
  item.dataset.end = segment.end;
  item.dataset.key = lineKey(segment);
  const line = document.createElement(clickable ? "button" : "div");
  line.className = "line";
  if (clickable) {
    line.type = "button";
  }
  const time = document.createElement("span");
  time.className = "time";
  time.textContent = clock(segment.start);
  const body = document.createElement("span");
  if (segment.speaker) {
    const speaker = document.createElement("span");
    speaker.className = "speaker";
    speaker.textContent = (speakers && speakers[segment.speaker]) || segment.speaker;
    body.append(speaker);
  }
  const text = document.createElement("span");
  text.className = "text";
  text.textContent = segment.text;
  body.append(text);
  line.append(time, body);
  item.append(line);
  return item;
}

function addLine(list, segment, speakers, clickable) {
  const key = lineKey(segment);
  if (list.querySelector(`li[data-key="${key}"]`)) {
    return null;
  }
  const item = makeLine(segment, speakers, clickable);
  const after = [...list.children].find((li) => Number(li.dataset.start) > segment.start);
  list.insertBefore(item, after || null);
  return item;
}

// ---- alerts -----------------------------------------------------------------------------------

function renderAlerts() {
  const alerts = [];
  const health = state.health;
  if (!state.connected) {
    alerts.push(["warning", TEXT.disconnected]);
  }
  if (health && health.status === "loading") {
    alerts.push(["warning", TEXT.modelLoading]);
  } else if (health && health.status === "error") {
    alerts.push(["error", TEXT.modelError(health.error)]);
  }
  if (health && typeof health.disk_free_bytes === "number") {
    const free = health.disk_free_bytes;
    if (free < BYTES_PER_SECOND * 60) {
      alerts.push(["error", TEXT.diskFull]);
    } else if (free < LOW_DISK_BYTES) {
      alerts.push(["warning", TEXT.diskLow(bytes(free), hoursOf(free / BYTES_PER_SECOND))]);
    }
  }
  const box = $("alerts");
  box.replaceChildren(
    ...alerts.map(([kind, text]) => {
      const p = document.createElement("p");
      p.className = `alert ${kind}`;
      p.textContent = text;
      return p;
    }),
  );
}

async function refreshHealth() {
  try {
    state.health = await (await fetch("api/health")).json();
  } catch {
    return;
  }
  renderAlerts();
  if (state.view && state.view.onHealth) {
    state.view.onHealth(state.health);
  }
}

// ---- the event stream -------------------------------------------------------------------------

function segmentArrived(segment) {
  if (state.view && state.view.onSegment) {
    state.view.onSegment(segment);
  }
}

function meetingChanged(meeting) {
  if (meeting.status === "recording" && !state.liveId) {
    state.liveId = meeting.id;
  }
  if (state.view && state.view.onMeeting) {
    state.view.onMeeting(meeting);
  }
}

function connectEvents() {
  if (state.events) {
    return;
  }
  const events = new EventSource("api/events");
  state.events = events;
  const held = setTimeout(() => {
    events.close();
    state.events = "polling";
    setInterval(poll, POLL_EVERY_MS);
  }, HELLO_WITHIN_MS);
  events.addEventListener("hello", (message) => {
    clearTimeout(held);
    state.connected = true;
    state.health = JSON.parse(message.data);
    renderAlerts();
    if (state.view && state.view.onHealth) {
      state.view.onHealth(state.health);
    }
  });
  events.addEventListener("segment", (message) => segmentArrived(JSON.parse(message.data)));
  events.addEventListener("meeting", (message) => meetingChanged(JSON.parse(message.data)));
  events.onerror = () => {
    state.connected = events.readyState === EventSource.OPEN;
    renderAlerts();
    if (events.readyState === EventSource.CLOSED && state.events === events) {
      clearTimeout(held);
      state.events = null;
      setTimeout(connectEvents, 3000);
    }
  };
}

// Without the event stream: the meeting recording and the one on screen, asked for every second.
async function poll() {
  await refreshHealth();
  const followed = [state.view && state.view.follows, state.health && state.health.recording];
  for (const id of new Set(followed.filter(Boolean))) {
    let meeting;
    try {
      meeting = await request(`meetings/${id}`);
    } catch {
      continue;
    }
    const { segments, text, ...summary } = meeting;
    if (state.statuses[id] !== summary.status) {
      state.statuses[id] = summary.status;
      meetingChanged(summary);
    }
    for (const segment of segments) {
      segmentArrived({ meeting_id: id, ...segment });
    }
  }
}

// ---- sign-in (only on the API port; ingress needs none) ----------------------------------------

function showSignIn() {
  stopView();
  mount("tpl-signin");
  $("signin-token").focus();
  $("signin-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = $("signin-token").value.trim();
    const response = await fetch("api/session", {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "X-Scribe-Page": "1" },
    });
    if (response.ok) {
      $("signin-token").value = "";
      connectEvents();
      route();
    } else {
      $("signin-error").textContent = TEXT.wrongToken;
      show($("signin-error"), true);
    }
  });
}

// ---- Live -------------------------------------------------------------------------------------

async function viewLive() {
  // The health can be seconds old: a meeting it calls recording may have ended since.
  const fromHealth = !state.liveId && Boolean(state.health && state.health.recording);
  if (fromHealth) {
    state.liveId = state.health.recording;
  }
  if (!state.liveId) {
    return viewStart();
  }
  let meeting;
  try {
    meeting = await request(`meetings/${state.liveId}`);
  } catch (error) {
    if (error instanceof SignInNeeded) {
      throw error;
    }
    state.liveId = null;
    return viewStart();
  }
  if (fromHealth && meeting.status !== "recording") {
    state.liveId = null; // it ended (or was left with "Start another meeting"): offer a new one
    return viewStart();
  }
  mount("tpl-live");
  const list = $("live-lines");
  let lastHeard = Date.now();
  const started = Date.parse(meeting.started_at);

  const render = () => {
    $("live-title").textContent = meeting.title;
    badge($("live-status"), meeting.status);
    const recording = meeting.status === "recording";
    const meta = [recording ? TEXT.recordingFor(clock((Date.now() - started) / 1000)) : clock(meeting.duration_s)];
    if (meeting.participants.length) {
      meta.push(participantNames(meeting));
    }
    $("live-meta").textContent = meta.join(" · ");
    let notice = null;
    if (meeting.error) {
      notice = meeting.error;
    } else if (meeting.status === "finalizing") {
      notice = TEXT.finishing;
    } else if (recording && state.health && state.health.status === "ok") {
      const quiet = Math.floor((Date.now() - lastHeard) / 1000);
      if (quiet >= SILENT_AFTER_S) {
        notice = TEXT.silent(quiet);
      }
    }
    $("live-notice").textContent = notice || "";
    show($("live-notice"), Boolean(notice));
    show($("stop-button"), recording);
    const final = isFinal(meeting);
    show($("live-open"), final);
    show($("live-new"), final);
    $("live-open").href = `#/meetings/${meeting.id}`;
    show($("live-empty"), list.children.length === 0);
  };

  for (const segment of meeting.segments) {
    addLine(list, segment, meeting.speakers, false);
  }
  $("stop-button").addEventListener("click", async () => {
    $("stop-button").disabled = true;
    try {
      await request(`meetings/${meeting.id}/stop`, { method: "POST" });
    } catch (error) {
      $("stop-button").disabled = false;
      $("live-notice").textContent = TEXT.failed(error.message);
      show($("live-notice"), true);
    }
  });
  $("live-new").addEventListener("click", () => {
    state.liveId = null;
    route();
  });
  const timer = setInterval(render, 1000);
  render();
  return {
    name: "live",
    get follows() {
      return isFinal(meeting) ? null : meeting.id;
    },
    onSegment(segment) {
      if (segment.meeting_id !== meeting.id) {
        return;
      }
      const item = addLine(list, segment, meeting.speakers, false);
      if (item) {
        lastHeard = Date.now();
        item.scrollIntoView({ block: "nearest" });
      }
      render();
    },
    onMeeting(summary) {
      if (summary.id === meeting.id) {
        meeting = { ...meeting, ...summary };
        render();
      } else if (summary.status === "recording" && summary.id === state.liveId) {
        route();
      }
    },
    onHealth: render,
    stop() {
      clearInterval(timer);
    },
  };
}

function viewStart() {
  mount("tpl-start");
  $("start-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const participants = $("start-participants").value.split("\n").map((line) => line.trim()).filter(Boolean);
    const body = { title: $("start-title-input").value.trim() || null, participants, source: "mic" };
    $("start-button").disabled = true;
    try {
      const meeting = await request("meetings", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      state.liveId = meeting.id;
      route();
    } catch (error) {
      $("start-button").disabled = false;
      $("start-error").textContent = error.message;
      show($("start-error"), true);
    }
  });
  return {
    name: "live",
    onMeeting(summary) {
      if (summary.status === "recording") {
        state.liveId = summary.id;
        route();
      }
    },
  };
}

// ---- Meetings ---------------------------------------------------------------------------------

async function viewMeetings() {
  mount("tpl-meetings");
  const search = $("search");
  search.value = sessionStorage.getItem("scribe-search") || "";
  let pending = null;

  const load = async () => {
    const query = search.value.trim();
    sessionStorage.setItem("scribe-search", query);
    const answer = await request(`meetings${query ? `?q=${encodeURIComponent(query)}` : ""}`);
    if (search.value.trim() !== query) {
      return; // typed on meanwhile
    }
    const list = $("meeting-list");
    list.replaceChildren(...answer.meetings.map(meetingRow));
    $("meetings-empty").textContent = query ? TEXT.noMatches(query) : TEXT.noMeetings;
    show($("meetings-empty"), answer.meetings.length === 0);
  };
  search.addEventListener("input", () => {
    clearTimeout(pending);
    pending = setTimeout(load, 250);
  });
  await load();
  return {
    name: "meetings",
    onMeeting() {
      clearTimeout(pending);
      pending = setTimeout(load, 250);
    },
    stop() {
      clearTimeout(pending);
    },
  };
}

function meetingRow(meeting) {
  const item = document.createElement("li");
  item.dataset.id = meeting.id;
  const link = document.createElement("a");
  link.href = `#/meetings/${meeting.id}`;
  const title = document.createElement("span");
  title.className = "title";
  title.textContent = meeting.title;
  const info = document.createElement("span");
  info.className = "when";
  info.textContent = `${when(meeting.started_at)} · ${clock(meeting.duration_s)}`;
  const status = document.createElement("span");
  badge(status, meeting.status);
  link.append(title, status, info);
  item.append(link);
  return item;
}

// ---- One meeting: player, transcript, downloads, delete ---------------------------------------

async function viewMeeting(id) {
  let meeting;
  try {
    meeting = await request(`meetings/${encodeURIComponent(id)}`);
  } catch (error) {
    if (error instanceof SignInNeeded) {
      throw error;
    }
    mount("tpl-meetings");
    $("meetings-empty").textContent = TEXT.notFound;
    show($("meetings-empty"), true);
    $("search").hidden = true;
    return { name: "meetings" };
  }
  mount("tpl-meeting");
  const player = $("player");
  const list = $("meeting-lines");
  player.src = `api/meetings/${meeting.id}/audio`;

  const render = () => {
    $("meeting-title").textContent = meeting.title;
    document.title = `${meeting.title} – Meeting Scribe`;
    badge($("meeting-status"), meeting.status);
    const meta = [when(meeting.started_at), clock(meeting.duration_s)];
    if (meeting.participants.length) {
      meta.push(participantNames(meeting));
    }
    $("meeting-meta").textContent = meta.join(" · ");
    $("meeting-error").textContent = meeting.error || "";
    show($("meeting-error"), Boolean(meeting.error));
    show($("meeting-empty"), list.children.length === 0 && meeting.status !== "recording");
  };
  for (const link of document.querySelectorAll("[data-export]")) {
    const format = link.dataset.export;
    link.href = format === "wav" ? player.src : `api/meetings/${meeting.id}/transcript.${format}`;
  }
  for (const segment of meeting.segments) {
    addLine(list, segment, meeting.speakers, true);
  }
  list.addEventListener("click", (event) => {
    const item = event.target.closest("li[data-start]");
    if (!item) {
      return;
    }
    player.currentTime = Number(item.dataset.start);
    highlight(list, player.currentTime, false);
    player.play().catch(() => {});
  });
  player.addEventListener("timeupdate", () => highlight(list, player.currentTime, !player.paused));
  $("delete-button").addEventListener("click", () => confirmDelete(meeting));
  render();
  return {
    name: "meetings",
    get follows() {
      return isFinal(meeting) ? null : meeting.id;
    },
    onSegment(segment) {
      if (segment.meeting_id === meeting.id) {
        addLine(list, segment, meeting.speakers, true);
        render();
      }
    },
    onMeeting(summary) {
      if (summary.id === meeting.id) {
        meeting = { ...meeting, ...summary };
        render();
      }
    },
    stop() {
      player.pause();
      player.removeAttribute("src");
      player.load();
      document.title = "Meeting Scribe";
    },
  };
}

function highlight(list, time, follow) {
  let current = null;
  for (const item of list.children) {
    if (Number(item.dataset.start) <= time + 0.05) {
      current = item;
    }
  }
  for (const item of list.querySelectorAll(".current")) {
    if (item !== current) {
      item.classList.remove("current");
      item.firstElementChild.removeAttribute("aria-current");
    }
  }
  if (current && !current.classList.contains("current")) {
    current.classList.add("current");
    current.firstElementChild.setAttribute("aria-current", "true");
    if (follow) {
      current.scrollIntoView({ block: "nearest" });
    }
  }
}

function confirmDelete(meeting) {
  const dialog = $("confirm");
  $("confirm-title").textContent = `Delete “${meeting.title}”?`;
  dialog.returnValue = "";
  dialog.addEventListener(
    "close",
    async () => {
      if (dialog.returnValue !== "delete") {
        $("delete-button").focus();
        return;
      }
      try {
        await request(`meetings/${meeting.id}`, { method: "DELETE" });
      } catch (error) {
        $("meeting-error").textContent = TEXT.failed(error.message);
        show($("meeting-error"), true);
        return;
      }
      if (state.liveId === meeting.id) {
        state.liveId = null;
      }
      location.hash = "#/meetings";
    },
    { once: true },
  );
  dialog.showModal();
}

// ---- Status -----------------------------------------------------------------------------------

function viewStatus() {
  mount("tpl-status");
  const render = (health) => {
    if (!health) {
      return;
    }
    $("st-model").textContent = health.model;
    $("st-state").textContent = TEXT.serverState[health.status] || health.status;
    if (health.error) {
      $("st-state").textContent += `: ${health.error}`;
    }
    $("st-compute").textContent = health.compute_type;
    $("st-queue").textContent = TEXT.queue(health.queue_depth);
    $("st-disk").textContent =
      typeof health.disk_free_bytes === "number" ? bytes(health.disk_free_bytes) : TEXT.unknown;
    $("st-recording").textContent = health.recording || TEXT.recordingNone;
    $("st-version").textContent = health.version;
  };
  show($("signout-row"), !document.baseURI.includes("/api/hassio_ingress/"));
  $("signout").addEventListener("click", async () => {
    await fetch("api/session", { method: "DELETE", headers: { "X-Scribe-Page": "1" } });
    if (state.events) {
      state.events.close();
      state.events = null;
    }
    showSignIn();
  });
  render(state.health);
  refreshHealth();
  return { name: "status", onHealth: render };
}

// ---- routing ----------------------------------------------------------------------------------

function stopView() {
  if (state.view && state.view.stop) {
    state.view.stop();
  }
  state.view = null;
}

async function route() {
  stopView();
  const hash = location.hash.replace(/^#\/?/, "");
  const [section, id] = hash.split("/");
  const name = section || "live";
  for (const link of document.querySelectorAll("[data-nav]")) {
    if (link.dataset.nav === name) {
      link.setAttribute("aria-current", "page");
    } else {
      link.removeAttribute("aria-current");
    }
  }
  try {
    if (name === "meetings" && id) {
      state.view = await viewMeeting(id);
    } else if (name === "meetings") {
      state.view = await viewMeetings();
    } else if (name === "status") {
      state.view = viewStatus();
    } else {
      state.view = await viewLive();
    }
  } catch (error) {
    if (!(error instanceof SignInNeeded)) {
      throw error;
    }
  }
}

async function start() {
  await refreshHealth();
  window.addEventListener("hashchange", () => {
    route();
    $("view").focus({ preventScroll: true });
  });
  setInterval(refreshHealth, HEALTH_EVERY_MS);
  route();
}

start();
