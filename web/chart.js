// moodtune page: the mood over the last minute. Valence and arousal as two
// lines; the emotion as a coloured band along the top, named inside a
// segment only where the name fits, so quick changes (a real expression
// sequence changes every few frames) never pile names on top of each other.
// The colours are explained by a legend of the emotions in view.
'use strict';

const EMOTION_COLORS = {
  angry: '#c0392b', disgust: '#7d5a3c', fear: '#8e44ad', happy: '#2e9e49',
  neutral: '#8a8a8a', sad: '#2c6fbb', surprise: '#e08e0b',
};
const BAND_HEIGHT = 16;

// history: [{t, valence, arousal, emotion}], oldest first. Returns the
// emotion names drawn and where (for the legend and for tests).
function drawMoodChart(canvas, history, now, windowMs) {
  const ctx = canvas.getContext('2d'), W = canvas.width, H = canvas.height;
  ctx.clearRect(0, 0, W, H);
  const top = BAND_HEIGHT + 4;
  const x = (t) => W - ((now - t) / windowMs) * W;
  const y = (v) => top + (H - top) / 2 - v * ((H - top) / 2 - 6);
  ctx.strokeStyle = '#ccc'; ctx.lineWidth = 1;
  ctx.beginPath(); ctx.moveTo(0, y(0)); ctx.lineTo(W, y(0)); ctx.stroke();
  ctx.fillStyle = '#888'; ctx.font = '11px system-ui, sans-serif';
  ctx.fillText('+1', 2, top + 11); ctx.fillText('−1', 2, H - 3);
  ctx.fillText('now', W - 24, H - 3); ctx.fillText('−60 s', 22, H - 3);
  for (const [key, color] of [['valence', '#d9822b'], ['arousal', '#3367d6']]) {
    ctx.strokeStyle = color; ctx.lineWidth = 2; ctx.beginPath();
    history.forEach((p, i) => (i ? ctx.lineTo(x(p.t), y(p[key])) : ctx.moveTo(x(p.t), y(p[key]))));
    ctx.stroke();
  }
  // Runs of one emotion, each to where the next begins (the last to now).
  const runs = [];
  for (const p of history) {
    if (!runs.length || runs[runs.length - 1].emotion !== p.emotion) runs.push({ emotion: p.emotion, t0: p.t });
  }
  runs.forEach((r, i) => { r.x0 = Math.max(0, x(r.t0)); r.x1 = i + 1 < runs.length ? x(runs[i + 1].t0) : W; });
  const labels = [];
  ctx.font = '11px system-ui, sans-serif';
  for (const r of runs) {
    ctx.fillStyle = EMOTION_COLORS[r.emotion] || '#444';
    ctx.fillRect(r.x0, 0, Math.max(1, r.x1 - r.x0), BAND_HEIGHT);
    const w = ctx.measureText(r.emotion).width;
    if (r.x1 - r.x0 >= w + 6) {
      ctx.fillStyle = '#fff';
      ctx.fillText(r.emotion, r.x0 + 3, BAND_HEIGHT - 4);
      labels.push({ emotion: r.emotion, x0: r.x0 + 3, x1: r.x0 + 3 + w });
    }
  }
  return { labels, emotions: [...new Set(runs.map((r) => r.emotion))] };
}

// The legend: a swatch per emotion in view.
function drawEmotionLegend(element, emotions) {
  element.replaceChildren(...emotions.map((e) => {
    const item = document.createElement('span');
    item.className = 'emotion-key';
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = EMOTION_COLORS[e] || '#444';
    item.append(swatch, e);
    return item;
  }));
}

// The last days: a bar per day, stacked by each emotion's share of that
// day (bottom: the largest), empty where nothing was kept. days: [{day:
// 'YYYY-MM-DD', shares: {...}}]; slots: the day names to draw, oldest first.
// Returns the bars drawn (for tests) and the emotions in view (for the legend).
function drawDaysChart(canvas, days, slots) {
  const ctx = canvas.getContext('2d'), W = canvas.width, H = canvas.height;
  ctx.clearRect(0, 0, W, H);
  const bottom = H - 16, slot = W / slots.length, width = Math.max(4, slot * 0.7);
  const byDay = new Map(days.map((d) => [d.day, d]));
  const bars = [], seen = new Set();
  ctx.font = '11px system-ui, sans-serif';
  slots.forEach((day, i) => {
    const x = i * slot + (slot - width) / 2;
    ctx.fillStyle = '#888';
    const label = day.slice(8);  // day of the month
    ctx.fillText(label, x + width / 2 - ctx.measureText(label).width / 2, H - 3);
    const d = byDay.get(day);
    if (!d) {
      ctx.fillStyle = '#eee';
      ctx.fillRect(x, bottom - 2, width, 2);
      return;
    }
    let y = bottom;
    for (const [emotion, share] of Object.entries(d.shares).sort((a, b) => b[1] - a[1])) {
      const h = share * (bottom - 4);
      if (h < 0.5) continue;
      ctx.fillStyle = EMOTION_COLORS[emotion] || '#444';
      ctx.fillRect(x, y - h, width, h);
      y -= h;
      seen.add(emotion);
    }
    bars.push({ day, x0: x, x1: x + width, emotion: d.emotion });
  });
  return { bars, emotions: [...seen] };
}
