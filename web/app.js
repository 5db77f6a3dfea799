// moodtune page: camera -> /api/frames (one frame in flight), boxes and the
// mood over time, recommendations that follow the mood, playback, feedback.
'use strict';

const $ = (id) => document.getElementById(id);
const video = $('video'), overlay = $('overlay'), statusEl = $('camera-status');
const chart = $('mood-chart'), player = $('player'), spotify = $('spotify');
const FRAME_INTERVAL_MS = 100;      // at most ~10 frames per second
const SEND_WIDTH = 640;             // frames are downscaled before upload
const HISTORY_MS = 60_000;

const state = {
  stream: null, running: false, inFlight: false,
  history: [],                      // {t, valence, arousal, emotion}
  mood: null,                       // last mood object from the server
  recs: [], current: -1,
  recsEmotion: null, recsStrategy: null, pendingSince: 0,
};

function setStatus(text, isError = false) {
  statusEl.textContent = text;
  statusEl.classList.toggle('error', isError);
}

// Each tab has its own server session (smoothing, mood), kept in
// sessionStorage, which is per tab; the server makes the ids.
async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  // "new" asks for a fresh session (never the cookie another tab got).
  headers['X-Moodtune-Session'] = sessionStorage.getItem('moodtune-session') || 'new';
  const res = await fetch(path, { credentials: 'same-origin', ...options, headers });
  const newSid = res.headers.get('X-Moodtune-Session');
  if (newSid) sessionStorage.setItem('moodtune-session', newSid);
  const body = await res.json().catch(() => ({}));
  if (res.status === 401 && path !== '/api/login') showLogin();
  if (!res.ok) throw new Error(body.error || `${res.status} ${res.statusText}`);
  return body;
}

// A JSON POST through api().
function postJson(path, body) {
  return api(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

// ---- login (servers shared on the network have an access token) -------------
function showLogin(message = '') {
  $('login-panel').hidden = false;
  $('login-status').textContent = message;
}

// The token becomes a session of this tab (header) and of this browser
// (HttpOnly cookie, for <audio>); the page keeps no copy of the token.
async function login(token, listener) {
  const body = { token };
  if (listener) body.listener = listener;
  const res = await postJson('/api/login', body);
  $('login-panel').hidden = true;
  $('login-token').value = '';
  setStatus(`Logged in as ${res.listener}. Press “Start camera” to let moodtune see your face.`);
  refreshRecommendations();
  if (typeof refreshHistory === 'function') refreshHistory();
  if (typeof refreshCalibration === 'function') refreshCalibration();
  return res;
}

$('login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  login($('login-token').value.trim(), $('login-listener').value.trim())
    .catch((err) => showLogin(err.message));
});

// The login link: #login=TOKEN[&listener=NAME]. The fragment never reaches
// the server or its logs; it is removed from the address bar and history
// before anything else happens.
async function loginFromLink() {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get('login');
  if (!token) return;
  history.replaceState(null, '', location.pathname + location.search);
  try { await login(token, params.get('listener')); } catch (err) { showLogin(err.message); }
}

// ---- camera ---------------------------------------------------------------
function cameraErrorMessage(err) {
  switch (err && err.name) {
    case 'NotAllowedError': case 'SecurityError':
      return 'Camera permission was denied. Allow the camera for this site (the camera icon in the address bar) and press “Start camera”, or set your mood by hand.';
    case 'NotFoundError': case 'OverconstrainedError':
      return 'No camera was found. Connect one and press “Start camera”, or set your mood by hand.';
    case 'NotReadableError': case 'AbortError':
      return 'The camera is busy in another application. Close it there and press “Start camera” again, or set your mood by hand.';
    default:
      return `The camera could not start (${err && err.message || err}). You can set your mood by hand.`;
  }
}

async function startCamera() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    setStatus('This browser gives no camera access here: open moodtune at http://localhost or over https, or set your mood by hand.', true);
    return;
  }
  setStatus('Asking for the camera…');
  try {
    state.stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
  } catch (err) {
    setStatus(cameraErrorMessage(err), true);
    return;
  }
  video.srcObject = state.stream;
  await video.play().catch(() => {});
  state.running = true;
  $('start-camera').disabled = true;
  $('stop-camera').disabled = false;
  setStatus('Camera on. Looking for your face…');
  frameLoop();
}

function stopCamera() {
  state.running = false;
  if (state.stream) state.stream.getTracks().forEach((t) => t.stop());
  state.stream = null;
  video.srcObject = null;
  clearOverlay();
  $('start-camera').disabled = false;
  $('stop-camera').disabled = true;
  setStatus('Camera off. Set your mood by hand, or start the camera again.');
}

const grab = document.createElement('canvas');
function captureFrame() {
  const w = video.videoWidth, h = video.videoHeight;
  if (!w || !h) return Promise.resolve(null);
  const scale = Math.min(1, SEND_WIDTH / w);
  grab.width = Math.round(w * scale);
  grab.height = Math.round(h * scale);
  grab.getContext('2d').drawImage(video, 0, 0, grab.width, grab.height);
  return new Promise((resolve) => grab.toBlob(resolve, 'image/jpeg', 0.75));
}

// One frame in flight: the next is captured only after the answer arrives,
// so a slow machine sees fewer frames instead of a growing queue.
async function frameLoop() {
  while (state.running) {
    const started = performance.now();
    try {
      const blob = await captureFrame();
      if (blob) {
        const result = await api('/api/frames', { method: 'POST', headers: { 'Content-Type': 'image/jpeg' }, body: blob });
        showFaces(result.faces, result.image);
        showMood(result.mood);
        // A dark, flat or blurred face: say how to fix it (it counts less in the mood).
        const poor = result.faces.find((f) => f.quality && !f.quality.ok);
        if (result.faces.length === 0) setStatus('Camera on. No face found: face the camera in good light.');
        else if (poor) setStatus(`Camera on: ${poor.quality.hint}. Until then this face counts less in your mood.`);
        else setStatus(`Camera on. ${result.faces.length} face${result.faces.length > 1 ? 's' : ''} found${result.calibrated ? ', read against your calibration' : ''}.`);
      }
    } catch (err) {
      setStatus(`Frame not analysed: ${err.message}. Retrying…`, true);
      await sleep(1000);
    }
    await sleep(Math.max(0, FRAME_INTERVAL_MS - (performance.now() - started)));
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function clearOverlay() {
  overlay.getContext('2d').clearRect(0, 0, overlay.width, overlay.height);
  overlay.dataset.faces = '0';
}

// Boxes are in the sent image's pixels; the video is letterboxed into the stage.
function showFaces(faces, image) {
  const rect = overlay.getBoundingClientRect();
  overlay.width = rect.width; overlay.height = rect.height;
  const ctx = overlay.getContext('2d');
  ctx.clearRect(0, 0, overlay.width, overlay.height);
  overlay.dataset.faces = String(faces.length);
  overlay.dataset.emotions = faces.map((f) => f.emotion).join(',');
  if (!image || !image.width) return;
  const s = Math.min(rect.width / image.width, rect.height / image.height);
  const ox = (rect.width - image.width * s) / 2, oy = (rect.height - image.height * s) / 2;
  ctx.lineWidth = 3; ctx.font = '16px system-ui, sans-serif';
  for (const f of faces) {
    const x = ox + f.box.x * s, y = oy + f.box.y * s, w = f.box.w * s, h = f.box.h * s;
    ctx.strokeStyle = '#4cd964'; ctx.strokeRect(x, y, w, h);
    const label = `${f.emotion} ${Math.round(100 * f.probs[f.emotion])}%`;
    const tw = ctx.measureText(label).width + 8;
    ctx.fillStyle = 'rgba(0,0,0,.65)'; ctx.fillRect(x, Math.max(0, y - 22), tw, 22);
    ctx.fillStyle = '#fff'; ctx.fillText(label, x + 4, Math.max(16, y - 6));
  }
  if (typeof drawWhy === 'function') drawWhy(ctx, s, ox, oy);
}

// ---- mood ------------------------------------------------------------------
function showMood(mood) {
  state.mood = mood;
  if (!mood || !mood.emotion) {
    $('mood-label').textContent = '–';
    $('mood-detail').textContent = 'no face seen yet';
    return;
  }
  $('mood-label').textContent = mood.emotion;
  $('mood-detail').textContent = `${mood.source === 'manual' ? 'set by hand' : 'from the camera'} · valence ${mood.valence.toFixed(2)}, arousal ${mood.arousal.toFixed(2)}`;
  const now = Date.now();
  state.history.push({ t: now, valence: mood.valence, arousal: mood.arousal, emotion: mood.emotion });
  while (state.history.length && state.history[0].t < now - HISTORY_MS) state.history.shift();
  drawChart();
  maybeRefreshRecommendations();
}

function drawChart() {
  const drawn = drawMoodChart(chart, state.history, Date.now(), HISTORY_MS);
  drawEmotionLegend($('emotion-legend'), drawn.emotions);
  chart.dataset.labels = JSON.stringify(drawn.labels);
}

async function setManualMood() {
  const emotion = $('manual-mood').value || null;
  try {
    const r = await postJson('/api/mood', { emotion });
    showMood(r.mood);
    refreshRecommendations();
  } catch (err) { setStatus(`Could not set the mood: ${err.message}`, true); }
}

// ---- recommendations and playback -------------------------------------------
function maybeRefreshRecommendations() {
  const emotion = state.mood && state.mood.emotion;
  const strategy = $('strategy').value;
  if (emotion === state.recsEmotion && strategy === state.recsStrategy) { state.pendingSince = 0; return; }
  // A new mood must hold for a moment before the list changes under the listener.
  const now = Date.now();
  if (!state.pendingSince) state.pendingSince = now;
  if (state.recsEmotion === null || now - state.pendingSince > 1500) refreshRecommendations();
}

async function refreshRecommendations() {
  state.pendingSince = 0;
  const strategy = $('strategy').value;
  const params = new URLSearchParams({ strategy, n: '10' });
  if (state.sourceMode && state.mood && state.mood.probs) params.set('probs', JSON.stringify(state.mood.probs));
  try {
    const r = await api(`/api/recommendations?${params}`);
    state.recsEmotion = r.mood.emotion; state.recsStrategy = strategy;
    state.recs = r.tracks;
    if (state.current >= state.recs.length) state.current = -1;
    renderRecs();
  } catch (err) { $('recs').innerHTML = ''; $('now-playing').textContent = `No recommendations: ${err.message}`; }
}

function renderRecs() {
  const list = $('recs');
  list.innerHTML = '';
  $('recs').dataset.emotion = state.recsEmotion || '';
  if (!state.recs.length) { $('now-playing').textContent = 'The catalog is empty: run `moodtune library scan DIR` or `moodtune catalog import FILE.csv`.'; return; }
  state.recs.forEach((t, i) => {
    const li = document.createElement('li');
    li.dataset.trackId = t.id;
    const title = document.createElement('span'); title.className = 'title'; title.textContent = `${t.title} — ${t.artist}`;
    const reason = document.createElement('span'); reason.className = 'reason'; reason.textContent = t.reason;
    const play = button('Play', 'play', () => playIndex(i));
    const like = button('Like', 'like', () => feedback(t, 'like', li));
    const skip = button('Skip', 'skip', () => { feedback(t, 'skip', li); if (state.current === i) playIndex(i + 1); });
    play.setAttribute('aria-label', `Play ${t.title}`);
    like.setAttribute('aria-label', `Like ${t.title}`);
    skip.setAttribute('aria-label', `Skip ${t.title}`);
    li.append(title, ' ', play, like, skip, reason);
    list.append(li);
  });
}

function button(text, cls, onClick) {
  const b = document.createElement('button');
  b.type = 'button'; b.textContent = text; b.className = cls; b.addEventListener('click', onClick);
  return b;
}

async function feedback(track, action, li) {
  try {
    await postJson('/api/feedback', { track: track.id, action });
    if (li) li.dataset.feedback = action;
    if (typeof refreshHistory === 'function') refreshHistory();
  } catch (err) { $('now-playing').textContent = `Feedback not saved: ${err.message}`; }
}

function playIndex(i) {
  if (i < 0 || i >= state.recs.length) { $('now-playing').textContent = 'End of the list.'; return; }
  state.current = i;
  const t = state.recs[i];
  document.querySelectorAll('#recs li').forEach((li, k) => li.classList.toggle('playing', k === i));
  $('now-playing').textContent = `Now playing: ${t.title} — ${t.artist}`;
  if (t.play.type === 'audio') {
    spotify.hidden = true; spotify.removeAttribute('src');
    player.hidden = false; player.src = t.play.url; player.dataset.trackId = t.id;
    player.play().catch((err) => { $('now-playing').textContent = `Press play to listen (${err.message}).`; });
  } else {
    player.pause(); player.hidden = true;
    spotify.hidden = false; spotify.src = t.play.url;   // Spotify's embed player, loaded by your browser
  }
}

player.addEventListener('ended', () => {
  const t = state.recs[state.current];
  if (t) feedback(t, 'played');
  playIndex(state.current + 1);
});

// ---- playlists ---------------------------------------------------------------
// Downloaded with this tab's session (a plain link would carry only the
// cookie), then saved from a blob.
async function savePlaylist(from, format) {
  const params = new URLSearchParams({ from, format, strategy: $('strategy').value });
  const res = await fetch(`/api/playlist?${params}`, {
    credentials: 'same-origin',
    headers: { 'X-Moodtune-Session': sessionStorage.getItem('moodtune-session') || 'new' },
  });
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    setStatus(`Could not save the playlist: ${body.error || res.status}`, true);
    return;
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = `moodtune-${from}.${format}`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
document.querySelectorAll('.save-playlist').forEach((b) =>
  b.addEventListener('click', () => savePlaylist(b.dataset.from, b.dataset.format)));

// ---- server-side source mode (kiosk) ----------------------------------------
function startSourceMode() {
  state.sourceMode = true;
  video.hidden = true;
  const img = $('source-view'); img.hidden = false; img.src = '/api/source/stream.mjpeg';
  $('start-camera').hidden = true; $('stop-camera').hidden = true;
  setStatus('Showing the server’s camera or video.');
  const events = new EventSource('/api/source/events');
  events.onmessage = (e) => {
    const ev = JSON.parse(e.data);
    if (ev.status !== 'playing') setStatus(`Server source: ${ev.status}`, ev.status.startsWith('unavailable'));
    else setStatus(`Server source playing: ${ev.faces.length} face${ev.faces.length === 1 ? '' : 's'}.`);
    overlay.dataset.faces = String(ev.faces.length);
    overlay.dataset.emotions = ev.faces.map((f) => f.emotion).join(',');
    if ($('manual-mood').value === '') showMood(ev.mood);
  };
  events.onerror = () => setStatus('Lost the connection to the server; retrying…', true);
}

// ---- start -------------------------------------------------------------------
$('start-camera').addEventListener('click', startCamera);
$('stop-camera').addEventListener('click', stopCamera);
$('manual-mood').addEventListener('change', setManualMood);
$('strategy').addEventListener('change', refreshRecommendations);

// After every script of the page has run (history.js, calibrate.js...): the
// parser may run this file's awaits before it has loaded the later ones.
window.addEventListener('DOMContentLoaded', async function init() {
  drawChart();
  await loginFromLink();
  try {
    const health = await api('/api/health');
    if (health.source) startSourceMode();
    if (health.precision === 'int8') {  // an int8 model has no gradients to explain with
      $('why').disabled = true;
      $('why').parentElement.title = 'This server runs an int8 model, which cannot show why: serve the float model for this';
    }
  } catch (err) { setStatus(`The moodtune server is not answering: ${err.message}`, true); }
  refreshRecommendations();
  if (typeof refreshHistory === 'function') refreshHistory();
  if (typeof refreshCalibration === 'function') refreshCalibration();
  if (new URLSearchParams(location.search).has('autostart')) startCamera();
});
