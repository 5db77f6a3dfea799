// End-to-end tests of the page in Debian's Chromium (headless), driven by
// playwright-core. The camera is Chromium's fake device playing a clip made
// at test time from real FER2013 faces: happy for a while, then sad.
//
// Environment: MOODTUNE_BINARY (the built binary), MOODTUNE_FER_DIR,
// MOODTUNE_ARTIFACTS (screenshots land here), CHROMIUM (default /usr/bin/chromium).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, '../..');
const bin = process.env.MOODTUNE_BINARY || path.join(root, 'build/moodtune');
const fer = process.env.MOODTUNE_FER_DIR || path.join(os.homedir(), '.cache/moodtune/fer2013');
const artifacts = process.env.MOODTUNE_ARTIFACTS || path.join(root, 'build/e2e-artifacts');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const wesnoth = '/usr/share/games/wesnoth/1.16/data/core/music';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'moodtune-e2e-'));
let server, base, browser;

function startServer(args) {
  return new Promise((resolve, reject) => {
    const proc = spawn(bin, ['serve', '--port', '0', ...args], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/http:\/\/([^/\s]+):(\d+)\//);
      if (m) resolve({ proc, url: `http://${m[1]}:${m[2]}` });
    });
    proc.stderr.on('data', (d) => { err += d; });
    proc.on('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
}

before(async () => {
  fs.mkdirSync(artifacts, { recursive: true });
  assert.ok(fs.existsSync(path.join(fer, 'val/happy')), `FER2013 not found at ${fer}: run scripts/fer2013.sh`);
  execFileSync(bin, ['data', 'demo-video', '--fer', fer, '--out', path.join(tmp, 'clip.y4m'), '--emotions', 'happy,sad',
    '--seconds', '10', '--fps', '10', '--model', path.join(root, 'models/default.mtm')]);
  // A small real library: a few of the default collection's tracks.
  const music = path.join(tmp, 'music');
  fs.mkdirSync(music);
  for (const f of ['sad.ogg', 'victory.ogg', 'defeat.ogg', 'traveling_minstrels.ogg', 'transience.ogg', 'elf-land.ogg',
    'frantic.ogg', 'silvan_sanctuary.ogg'])
    fs.copyFileSync(path.join(wesnoth, f), path.join(music, f));
  execFileSync(bin, ['library', 'scan', music, '--db', path.join(tmp, 'e2e.db')], { stdio: 'ignore' });
  ({ proc: server, url: base } = await startServer(['--db', path.join(tmp, 'e2e.db')]));
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${path.join(tmp, 'clip.y4m')}`, '--autoplay-policy=no-user-gesture-required'],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.kill('SIGTERM');
});

const shot = (page, name) => page.screenshot({ path: path.join(artifacts, `${name}.png`) });

async function recIds(page) {
  return page.$$eval('#recs li', (lis) => lis.map((li) => li.dataset.trackId).join(','));
}

test('camera: boxes, happy then sad, recommendations follow, like is stored, a track plays', async () => {
  // bypassCSP: playwright's waitForFunction evaluates strings, which the page's CSP forbids.
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, bypassCSP: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(base + '/');
  await page.click('#start-camera');
  await page.waitForFunction(() => Number(document.getElementById('overlay').dataset.faces) >= 1, null, { timeout: 20000 });
  await page.waitForFunction(() => document.getElementById('mood-label').textContent === 'happy', null, { timeout: 20000 });
  await page.waitForFunction(() => document.getElementById('recs').dataset.emotion === 'happy', null, { timeout: 10000 });
  await shot(page, '1-happy');
  const happyRecs = await recIds(page);
  assert.ok(happyRecs.length > 0, 'recommendations for happy');

  await page.waitForFunction(() => document.getElementById('mood-label').textContent === 'sad', null, { timeout: 30000 })
    .catch(async (e) => { await shot(page, 'fail-sad'); throw e; });
  await page.waitForFunction(() => document.getElementById('recs').dataset.emotion === 'sad', null, { timeout: 10000 });
  await shot(page, '2-sad');
  const sadRecs = await recIds(page);
  assert.notEqual(sadRecs, happyRecs, 'recommendations change with the mood');

  // "Why?": heat maps over the face, from /api/explain, not from every frame.
  await page.check('#why');
  await page.waitForFunction(() => (document.getElementById('overlay').dataset.why || '').length > 0, null, { timeout: 15000 });
  await shot(page, '2b-why');
  await page.uncheck('#why');

  // The chart has a minute of history with both emotions.
  const history = await page.evaluate(async () => (await api('/api/mood')).history.map((h) => h.emotion));
  assert.ok(history.includes('happy') && history.includes('sad'), `mood history: ${history}`);

  // The chart's emotion names never overlap, however often the mood
  // changes: a minute that flips every 300 ms names only runs wide enough.
  const flips = await page.evaluate(() => {
    const now = Date.now(), names = ['happy', 'sad', 'surprise', 'neutral'];
    const history = Array.from({ length: 200 }, (_, i) => ({
      t: now - 60000 + i * 300, valence: 0, arousal: 0, emotion: names[Math.floor(i / (i < 150 ? 1 : 25)) % 4] }));
    return drawMoodChart(document.getElementById('mood-chart'), history, now, 60000);
  });
  assert.ok(flips.labels.length >= 1 && flips.labels.length < 10, JSON.stringify(flips.labels));
  for (let i = 1; i < flips.labels.length; i++)
    assert.ok(flips.labels[i].x0 >= flips.labels[i - 1].x1, `labels overlap: ${JSON.stringify(flips.labels)}`);
  assert.deepEqual(flips.emotions.sort(), ['happy', 'neutral', 'sad', 'surprise']);
  assert.match(await page.textContent('#emotion-legend'), /happy/);

  // Like the first track: stored, as the API shows.
  const first = await page.$eval('#recs li', (li) => Number(li.dataset.trackId));
  await page.click('#recs li:first-child button.like');
  await page.waitForSelector('#recs li[data-feedback="like"]');
  const fb = await (await fetch(`${base}/api/feedback`)).json();
  assert.ok(fb.feedback.some((f) => f.track === first && f.action === 'like'), JSON.stringify(fb));

  // The list as a playlist file for other players.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('.save-playlist[data-format="m3u8"][data-from="list"]')]);
  const m3u = fs.readFileSync(await download.path(), 'utf8');
  assert.match(m3u, /^#EXTM3U/);
  assert.match(m3u, new RegExp(`${base}/api/tracks/\\d+/audio`));

  // Play a local track: its current time advances.
  await page.click('#recs li:first-child button.play');
  await page.waitForFunction(() => document.getElementById('player').currentTime > 0.5, null, { timeout: 15000 });
  await shot(page, '3-playing');
  assert.deepEqual(errors, []);
  await page.close();
});

test('mood history: kept only after consent, charted by day, liked tracks by mood, deleted with one button', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1400 }, bypassCSP: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(base + '/');
  await page.waitForFunction(() => /Not kept/.test(document.getElementById('history-status').textContent));
  assert.equal(await page.isChecked('#keep-history'), false);
  assert.equal(await page.getAttribute('#days-chart', 'data-bars'), '[]');

  await page.check('#keep-history');
  await page.waitForFunction(() => /^Kept/.test(document.getElementById('history-status').textContent));
  await page.click('#start-camera');
  await page.waitForFunction(() => document.getElementById('mood-label').textContent !== '–', null, { timeout: 20000 });
  // The first face of the session is a sample: today's bar appears.
  await page.waitForFunction(async () => {
    await refreshHistory();
    return JSON.parse(document.getElementById('days-chart').dataset.bars).length === 1;
  }, null, { timeout: 15000, polling: 500 });
  const bars = JSON.parse(await page.getAttribute('#days-chart', 'data-bars'));
  assert.ok(['happy', 'sad'].includes(bars[0].emotion), JSON.stringify(bars));
  assert.match(await page.textContent('#days-legend'), /happy|sad/);

  // A like in this mood shows under "Tracks you liked when you were ...".
  await page.waitForSelector('#recs li');
  const title = await page.$eval('#recs li .title', (e) => e.textContent.split(' — ')[0]);
  await page.click('#recs li:first-child button.like');
  await page.waitForSelector('#liked-in-mood p');
  assert.match(await page.textContent('#liked-in-mood'), new RegExp(`Tracks you liked when you were (happy|sad): .*${title}`));
  await shot(page, '5-mood-history');

  // One button deletes it all (after a confirmation).
  page.once('dialog', (d) => d.accept());
  await page.click('#delete-history');
  await page.waitForFunction(() => /^Deleted 1 day of mood/.test(document.getElementById('history-status').textContent));
  assert.equal(await page.getAttribute('#days-chart', 'data-bars'), '[]');
  assert.equal(await page.textContent('#liked-in-mood'), '');
  const fb = await (await fetch(`${base}/api/feedback`)).json();
  assert.deepEqual(fb.feedback, []);
  await page.uncheck('#keep-history');
  await page.waitForFunction(() => /Not kept/.test(document.getElementById('history-status').textContent));
  assert.deepEqual(errors, []);
  await context.close();
});

test('no camera: a clear message, and a mood set by hand drives the recommendations', async () => {
  const plain = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--use-fake-ui-for-media-stream'] });
  try {
    const page = await (await plain.newContext({ viewport: { width: 1280, height: 1000 }, bypassCSP: true })).newPage();
    await page.goto(base + '/');
    await page.click('#start-camera');
    await page.waitForFunction(() => document.getElementById('camera-status').classList.contains('error'), null, { timeout: 10000 });
    const status = await page.textContent('#camera-status');
    assert.match(status, /camera/i);
    assert.match(status, /by hand/);
    await page.selectOption('#manual-mood', 'sad');
    await page.waitForFunction(() => document.getElementById('mood-label').textContent === 'sad');
    await page.waitForFunction(() => document.getElementById('recs').dataset.emotion === 'sad');
    assert.ok((await recIds(page)).length > 0);
    // A second tab of the same browser has its own session: no mood yet.
    const other = await page.context().newPage();
    await other.goto(base + '/');
    await other.waitForFunction(() => sessionStorage.getItem('moodtune-session'));
    const otherMood = await other.evaluate(async () => (await api('/api/mood')).mood.source);
    assert.equal(otherMood, 'none');
    assert.equal(await page.evaluate(async () => (await api('/api/mood')).mood.emotion), 'sad');
    await other.close();
    await page.selectOption('#strategy', 'uplift');
    await page.waitForFunction(() => document.querySelector('#recs li .reason')?.textContent.length > 0);
    await shot(page, '4-no-camera-manual');
  } finally {
    await plain.close();
  }
});

test('a server with a token: the page asks for the login link, the link logs in, audio plays with the cookie', async () => {
  const token = 'e2e-token-0123456789abcdef';
  const { proc, url } = await startServer(['--db', path.join(tmp, 'e2e.db'), '--token', token]);
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, bypassCSP: true });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url + '/');
    await page.waitForSelector('#login-panel:not([hidden])');
    assert.equal(await page.$$eval('#recs li', (l) => l.length), 0, 'nothing from the API before the login');
    await shot(page, '5-login-needed');

    // A fresh tab (a hash change alone would not reload the page).
    const linked = await context.newPage();
    linked.on('pageerror', (e) => errors.push(e.message));
    await linked.goto(url + `/#login=${token}&listener=alice`);
    await linked.waitForSelector('#login-panel', { state: 'hidden' });
    assert.equal(await linked.evaluate(() => location.hash), '', 'the token is gone from the address bar');
    await linked.waitForSelector('#recs li');
    // Bound to alice: her likes, not another listener's.
    assert.equal(await linked.evaluate(async () => (await api('/api/feedback')).user), 'alice');
    const other = await linked.evaluate(async () => (await fetch('/api/feedback?user=bob', {
      headers: { 'X-Moodtune-Session': sessionStorage.getItem('moodtune-session') } })).status);
    assert.equal(other, 403);
    // <audio> sends no headers: the HttpOnly cookie carries the session.
    await linked.click('#recs li:first-child button.play');
    await linked.waitForFunction(() => document.getElementById('player').currentTime > 0.5, null, { timeout: 15000 });
    assert.equal(await linked.evaluate(() => document.cookie), '', 'the session cookie is HttpOnly');
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    proc.kill('SIGTERM');
  }
});

test('calibrate: consent first, a relaxed face is kept as statistics, a smile is refused, one click removes it', async () => {
  // A camera that shows a relaxed face for 8 s, then a smile for 8 s.
  const clip = path.join(tmp, 'relaxed-then-happy.y4m');
  execFileSync(bin, ['data', 'demo-video', '--fer', fer, '--out', clip, '--emotions', 'neutral,happy',
    '--seconds', '8', '--fps', '10', '--model', path.join(root, 'models/default.mtm')]);
  const cam = await chromium.launch({ executablePath: chromiumPath,
    args: ['--no-sandbox', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${clip}`] });
  try {
    const page = await (await cam.newContext({ viewport: { width: 1280, height: 1100 }, bypassCSP: true })).newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(base + '/');
    await page.waitForFunction(() => /Not calibrated/.test(document.getElementById('calibration-state').textContent), null, { timeout: 10000 })
      .catch(async (e) => { throw new Error(`${e.message}: ${await page.textContent("#calibration-state")} ${errors}`); });
    // Without a camera there is nothing to calibrate with: said, nothing sent.
    await page.click('#calibrate');
    assert.match(await page.textContent('#calibration-status'), /Start the camera first/);

    await page.click('#start-camera');
    await page.waitForFunction(() => Number(document.getElementById('overlay').dataset.faces) >= 1, null, { timeout: 20000 });
    await page.click('#calibrate');
    assert.equal(await page.isVisible('#calibrate-dialog'), true);
    assert.equal(await page.isDisabled('#calibrate-start'), true, 'no capture before consent');
    await page.check('#calibrate-consent');
    await page.click('#calibrate-start');
    await page.waitForFunction(() => document.getElementById('calibration-state').dataset.active === 'true', null, { timeout: 15000 })
      .catch(async (e) => { await shot(page, 'fail-calibrate'); throw new Error(`${e.message}: ${await page.textContent('#calibration-status')}`); });
    assert.match(await page.textContent('#calibration-state'), /Calibrated to your relaxed face/);
    const c = await page.evaluate(async () => api('/api/calibration'));
    assert.equal(c.active, true);
    assert.ok(c.faces >= 5, JSON.stringify(c));
    await page.waitForFunction(() => /read against your calibration/.test(document.getElementById('camera-status').textContent), null, { timeout: 10000 });
    await shot(page, '6-calibrated');

    // Smiling is not a resting face: refused with the reason, the old calibration stays.
    await page.waitForFunction(() => document.getElementById('mood-label').textContent === 'happy', null, { timeout: 20000 });
    await page.click('#calibrate');
    await page.click('#calibrate-start');
    await page.waitForFunction(() => /^Not calibrated: .*looks happy/.test(document.getElementById('calibration-status').textContent), null, { timeout: 15000 })
      .catch(async (e) => { await shot(page, 'fail-refuse'); throw new Error(`${e.message}: ${await page.textContent('#calibration-status')}`); });
    assert.equal(await page.getAttribute('#calibration-state', 'data-active'), 'true');
    await shot(page, '7-calibration-refused');

    await page.click('#remove-calibration');
    await page.waitForFunction(() => /Not calibrated/.test(document.getElementById('calibration-state').textContent));
    assert.equal((await page.evaluate(async () => api('/api/calibration'))).active, false);
    assert.equal(await page.isHidden('#remove-calibration'), true);
    assert.deepEqual(errors, []);
  } finally {
    await cam.close();
  }
});

test('no frame ever reaches the disk', () => {
  const images = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(jpe?g|png|bmp|webp)$/i.test(e.name)) images.push(p);
    }
  };
  walk(tmp);  // the server's working folder, its database folder
  assert.deepEqual(images, []);
});
