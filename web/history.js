// moodtune page: the mood history panel. With the listener's consent the
// server keeps one summary a day (the share of each emotion) and the mood
// each like or skip was given in; this panel charts the last days, lists
// what the listener liked in low moods, and deletes it all on request.
'use strict';

const HISTORY_DAYS = 14;
// Low moods first: "what lifted me" is most useful there.
const MOOD_ORDER = ['sad', 'angry', 'fear', 'disgust', 'neutral', 'surprise', 'happy'];

function lastDays(n) {
  const out = [];
  for (let i = n - 1; i >= 0; i--) {
    const d = new Date(Date.now() - i * 86400000);
    out.push(`${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`);
  }
  return out;
}

function showHistory(h) {
  $('keep-history').checked = h.keep;
  const drawn = drawDaysChart($('days-chart'), h.days, lastDays(HISTORY_DAYS));
  $('days-chart').dataset.bars = JSON.stringify(drawn.bars);
  drawEmotionLegend($('days-legend'), drawn.emotions);
  $('history-status').textContent = h.keep
    ? (h.days.length ? `Kept: ${h.days.length} day${h.days.length > 1 ? 's' : ''} in the last ${HISTORY_DAYS}.`
      : 'Kept from now on, while the camera sees you.')
    : 'Not kept. Turn it on to see your mood over the days and what you liked in each mood.';
  const box = $('liked-in-mood');
  box.replaceChildren();
  for (const mood of MOOD_ORDER) {
    const liked = (h.by_mood[mood] || []).filter((t) => t.likes > 0);
    if (!liked.length) continue;
    const p = document.createElement('p');
    p.dataset.mood = mood;
    const head = document.createElement('strong');
    head.textContent = `Tracks you liked when you were ${mood}: `;
    p.append(head, liked.map((t) => `${t.title} — ${t.artist}${t.likes > 1 ? ` (${t.likes}×)` : ''}`).join(', '));
    box.append(p);
  }
}

async function refreshHistory() {
  try {
    showHistory(await api(`/api/history?days=${HISTORY_DAYS}`));
  } catch (err) { $('history-status').textContent = `History unavailable: ${err.message}`; }
}

$('keep-history').addEventListener('change', async (e) => {
  try {
    await postJson('/api/history/consent', { keep: e.target.checked });
  } catch (err) { $('history-status').textContent = `Not changed: ${err.message}`; }
  refreshHistory();
});

$('delete-history').addEventListener('click', async () => {
  if (!confirm('Delete your mood history, likes, skips and plays, what moodtune learned from them, and your calibration?')) return;
  try {
    const r = await postJson('/api/history/delete', {});
    await refreshHistory();
    $('history-status').textContent = `Deleted ${r.deleted.days} day${r.deleted.days === 1 ? '' : 's'} of mood and ${r.deleted.feedback} likes, skips and plays${r.deleted.calibration ? ', and your calibration' : ''}.`;
    if (r.deleted.calibration && typeof refreshCalibration === 'function') refreshCalibration();
  } catch (err) { $('history-status').textContent = `Nothing deleted: ${err.message}`; }
});

// The first refresh comes from app.js's start, after a login from the link
// (an earlier request would meet the login wall and show the login panel).
setInterval(refreshHistory, 60_000);
