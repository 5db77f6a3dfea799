// moodtune page: "Why?" — where the model looked. While the switch is on,
// a frame is sent to /api/explain every 2 s (never every frame: a heat map
// costs a backward pass), and the heat maps are drawn over the faces until
// the next one arrives.
'use strict';

const WHY_INTERVAL_MS = 2000;
const why = { faces: [], image: null, timer: 0, busy: false };

// Heat (0-100) to a colour from blue (cold) through green to red (hot).
function heatColour(v) {
  const t = v / 100;
  const r = Math.round(255 * Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - 3))));
  const g = Math.round(255 * Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - 2))));
  const b = Math.round(255 * Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - 1))));
  return [r, g, b, Math.round(60 + 130 * t)];
}

function heatCanvas(rows) {
  const c = document.createElement('canvas');
  c.width = rows[0].length; c.height = rows.length;
  const img = c.getContext('2d').createImageData(c.width, c.height);
  rows.flat().forEach((v, i) => img.data.set(heatColour(v), i * 4));
  c.getContext('2d').putImageData(img, 0, 0);
  return c;
}

// Called by showFaces with its mapping from image pixels to the overlay.
function drawWhy(ctx, scale, ox, oy) {
  if (!$('why').checked || !why.image) return;
  ctx.save();
  ctx.imageSmoothingEnabled = true;
  for (const f of why.faces) {
    const r = f.region;
    ctx.drawImage(f.canvas, ox + r.x * scale, oy + r.y * scale, r.w * scale, r.h * scale);
    ctx.fillStyle = 'rgba(0,0,0,.65)';
    ctx.fillRect(ox + r.x * scale, oy + (r.y + r.h) * scale, 170, 20);
    ctx.fillStyle = '#fff';
    ctx.fillText(`why ${f.class}: the warm areas${f.weak_evidence ? ' (weak)' : ''}`, ox + r.x * scale + 4, oy + (r.y + r.h) * scale + 15);
  }
  ctx.restore();
}

async function explainNow() {
  if (why.busy || !state.running) return;
  why.busy = true;
  try {
    const blob = await captureFrame();
    if (!blob) return;
    const r = await api('/api/explain', { method: 'POST', headers: { 'Content-Type': 'image/jpeg' }, body: blob });
    why.faces = r.faces.map((f) => ({ ...f, canvas: heatCanvas(f.heat) }));
    why.image = r.image;
    overlay.dataset.why = r.faces.map((f) => f.class).join(',');
  } catch (err) {
    setStatus(`No explanation: ${err.message}`, true);
  } finally { why.busy = false; }
}

$('why').addEventListener('change', (e) => {
  clearInterval(why.timer);
  why.faces = []; why.image = null; overlay.dataset.why = '';
  if (e.target.checked) {
    explainNow();
    why.timer = setInterval(explainNow, WHY_INTERVAL_MS);
  }
});
