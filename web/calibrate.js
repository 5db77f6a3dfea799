// moodtune page: "Calibrate" — the listener's relaxed face as the zero point
// of their emotions (one person's resting face reads as another's frown).
// A short guided capture sends frames to /api/calibration/frames, which
// checks each (one face, lit, relaxed) and keeps only the model's output;
// with the listener's consent the server then stores the average as their
// baseline. Shown while active, removed with one click.
'use strict';

const CALIBRATE_MS = 3000;       // "look relaxed for 3 seconds"
const CALIBRATE_MAX_MS = 6000;   // a few more seconds if too few frames passed the checks
const CALIBRATE_INTERVAL_MS = 200;
const calib = { busy: false };

function calibrationText(c) {
  if (c.active) {
    const day = (c.created_at || '').slice(0, 10);
    return `Calibrated to your relaxed face (${c.faces} frames${day ? `, ${day}` : ''}): your expressions are read against it.`;
  }
  if (c.other_model) return 'Your calibration was made with another model: calibrate again to use it.';
  return 'Not calibrated: your face is read like everyone else’s.';
}

function showCalibration(c) {
  const stateEl = $('calibration-state');
  stateEl.textContent = calibrationText(c);
  stateEl.dataset.active = String(!!c.active);
  $('remove-calibration').hidden = !(c.active || c.other_model);
}

async function refreshCalibration() {
  try {
    showCalibration(await api('/api/calibration'));
  } catch (err) { $('calibration-state').textContent = `Calibration unavailable: ${err.message}`; }
}

function calibrationStatus(text, isError = false) {
  const el = $('calibration-status');
  el.textContent = text;
  el.classList.toggle('error', isError);
}

// Frames for a few seconds, one in flight; returns the last answer.
async function captureCalibration() {
  const started = performance.now();
  let last = { accepted: 0, needed: 1, problem: null }, first = true;
  for (;;) {
    const elapsed = performance.now() - started;
    if (elapsed >= CALIBRATE_MAX_MS || (elapsed >= CALIBRATE_MS && last.accepted >= last.needed)) return last;
    const t0 = performance.now();
    const blob = await captureFrame();
    if (blob) {
      last = await api(`/api/calibration/frames${first ? '?restart=1' : ''}`,
        { method: 'POST', headers: { 'Content-Type': 'image/jpeg' }, body: blob });
      first = false;
      const left = Math.max(0, Math.ceil((CALIBRATE_MS - (performance.now() - started)) / 1000));
      calibrationStatus(last.problem ? `Not this frame: ${last.problem}.`
        : `Look relaxed… ${left ? `${left} s` : 'almost done'} (${last.accepted} frames)`);
    }
    await sleep(Math.max(0, CALIBRATE_INTERVAL_MS - (performance.now() - t0)));
  }
}

async function calibrate() {
  if (calib.busy) return;
  calib.busy = true;
  $('calibrate-start').disabled = true;
  try {
    const last = await captureCalibration();
    if (last.accepted < last.needed) {
      // Say what was wrong rather than save a poor baseline; the server would refuse it too.
      // (The server drops the partial capture at the next start or after 30 s.)
      calibrationStatus(`Not calibrated: ${last.problem || 'too few clear frames'}. Try again.`, true);
      return;
    }
    const c = await postJson('/api/calibration', { consent: true });
    showCalibration(c);
    $('calibrate-dialog').hidden = true;
    calibrationStatus('Calibrated. Remove it any time with “Remove calibration”.');
  } catch (err) {
    calibrationStatus(`Not calibrated: ${err.message}`, true);
  } finally {
    calib.busy = false;
    $('calibrate-start').disabled = !$('calibrate-consent').checked;
  }
}

$('calibrate').addEventListener('click', () => {
  if (!state.running) {
    calibrationStatus('Start the camera first: calibration needs a few seconds of your relaxed face.', true);
    return;
  }
  calibrationStatus('');
  $('calibrate-dialog').hidden = false;
  $('calibrate-start').disabled = !$('calibrate-consent').checked;
});
$('calibrate-consent').addEventListener('change', (e) => { $('calibrate-start').disabled = !e.target.checked || calib.busy; });
$('calibrate-start').addEventListener('click', calibrate);
$('calibrate-cancel').addEventListener('click', () => { $('calibrate-dialog').hidden = true; calibrationStatus(''); });
$('remove-calibration').addEventListener('click', async () => {
  try {
    await postJson('/api/calibration/delete', {});
    calibrationStatus('Calibration removed: nothing of it is kept.');
  } catch (err) { calibrationStatus(`Not removed: ${err.message}`, true); }
  refreshCalibration();
});
