/**
 * The dashboard in a real browser: Debian's chromium driven by playwright-core (no browser download), against two
 * relay processes. A runs the simulated default with its API bound beyond loopback (0.0.0.0, a token); B is a plain
 * relay that A reaches over IP. The page must: answer with a login form and no node data, refuse a wrong token with a
 * visible message, keep the login across a reload in an HttpOnly cookie only; then load without console errors,
 * show the radios and a neighbour, keep the short id in the header at 360 px, stay within 150 KiB as transferred
 * before data shows, send from its send box to B's inbox, and move the airtime chart after a send. Screenshots at
 * phone and desktop width go to $LATTICE_SCREENSHOT_DIR (default a temp directory; not committed).
 *
 * CHROMIUM names another browser binary (default /usr/bin/chromium, Debian's `chromium` package).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { RelayProcess, eventually, freePort } from '../../daemon/testing/relay-process.js';
import { WRONG_TOKEN_MESSAGE } from './dashboard-routes.js';
import { ApiServer } from '../api-server.js';
import { FakeRelayNode } from '../testing/fake-relay-node.js';
import type { NodeStatus } from '../../node/relay-node.js';

const TOKEN = 'dashboard-test-token-0123456789';
const BUDGET_BYTES = 150 * 1024;
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = process.env.LATTICE_SCREENSHOT_DIR ?? join(tmpdir(), 'lattice-dashboard-screenshots');

let root = '';
let a: RelayProcess;
let b: RelayProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const consoleErrors: string[] = [];

test.before(async () => {
  root = mkdtempSync(join(tmpdir(), 'lattice-dash-'));
  b = new RelayProcess({ dataDir: join(root, 'b') });
  b.apiPort = await freePort();
  b.ipPort = await freePort();
  b.metricsPort = await freePort();
  a = new RelayProcess({ dataDir: join(root, 'a'), sim: true, ipPeers: [b.ipPort], token: TOKEN, env: { LATTICE_SIM: 'true', LATTICE_API_TOKEN: TOKEN } });
  a.apiHost = '0.0.0.0';
  const launching = chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  await Promise.all([a.start(), b.start()]);
  browser = await launching;
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await eventually('A hears B over IP', async () => ((await a.get('/status')).peers as { id: string }[]).some((p) => p.id === b.nodeId));
});

test.after(async () => {
  await browser?.close();
  await Promise.all([a?.stop(), b?.stop()]);
  if (process.env.LATTICE_KEEP_TMP === undefined) rmSync(root, { recursive: true, force: true });
});

test('beyond loopback: a login form and no node data, a wrong token refused visibly, the login survives a reload in an HttpOnly cookie', async () => {
  const first = await page.goto(a.api + '/');
  assert.is(first!.status(), 200);
  const html = await first!.text();
  assert.ok(await page.getByLabel('API token').isVisible(), 'the login form');
  assert.not.ok(html.includes(a.shortId) || html.includes(a.nodeId), 'no node data before the token');
  assert.is((await page.request.get(a.api + '/status')).status(), 401);

  await page.getByLabel('API token').fill('not-the-token-at-all');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#login-error').waitFor();
  assert.is(await page.locator('#login-error').textContent(), WRONG_TOKEN_MESSAGE);
  assert.ok(await page.locator('#login-error').isVisible());

  await page.getByLabel('API token').fill(TOKEN);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#short-id', { hasText: a.shortId }).waitFor();
  await page.reload();
  await page.locator('#short-id', { hasText: a.shortId }).waitFor();
  const where = await page.evaluate('({ cookie: document.cookie, local: JSON.stringify(localStorage), session: JSON.stringify(sessionStorage) })') as { cookie: string; local: string; session: string };
  assert.not.ok(where.cookie.includes('lattice_session') || where.cookie.includes(TOKEN), 'the login cookie is HttpOnly');
  assert.not.ok(where.local.includes(TOKEN) || where.session.includes(TOKEN), 'no token in web storage');
  const cookies = await context.cookies(a.api);
  assert.ok(cookies.some((c) => c.name === 'lattice_session' && c.httpOnly && c.sameSite === 'Strict' && !c.value.includes(TOKEN)));
});

test('loads within 150 KiB as transferred, no console errors, radios and a neighbour, one event stream, no layout shift', async () => {
  await page.addInitScript(`window.__cls = 0; new PerformanceObserver((list) => { for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value; }).observe({ type: 'layout-shift', buffered: true });`);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.clearBrowserCache');
  const finished = new Map<string, number>();
  const partial = new Map<string, number>();
  const urls = new Map<string, string>();
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
  cdp.on('Network.dataReceived', (e) => partial.set(e.requestId, (partial.get(e.requestId) ?? 0) + e.encodedDataLength));
  cdp.on('Network.loadingFinished', (e) => finished.set(e.requestId, e.encodedDataLength));
  consoleErrors.length = 0;
  await page.reload();
  // Data shows: the header's short id and the radio cards.
  await page.locator('#short-id', { hasText: a.shortId }).waitFor();
  await page.locator('[data-bearer="lora0"]').waitFor();
  let total = 0;
  for (const id of urls.keys()) total += finished.get(id) ?? partial.get(id) ?? 0;
  console.log(`dashboard: ${total} bytes transferred before data showed (${urls.size} requests: ${[...urls.values()].map((u) => new URL(u).pathname).join(' ')})`);
  assert.ok(total > 0 && total <= BUDGET_BYTES, `${total} bytes transferred, budget ${BUDGET_BYTES}`);
  for (const name of ['lora0', 'mt-sim', 'mc-sim']) assert.ok(await page.locator(`[data-bearer="${name}"]`).isVisible(), `radio ${name} shown`);
  await page.locator('#neighbour-list tr[data-radio="mt-sim"]', { hasText: 'Hilltop' }).waitFor();
  await page.locator('#conn', { hasText: 'live' }).waitFor();
  const streams = [...urls.values()].filter((u) => new URL(u).pathname === '/events');
  assert.is(streams.length, 1, 'one event stream');
  assert.equal(consoleErrors, []);
  // The simulated default has an emulated INA3221 on a simulated battery and panel (issue 16): its section shows.
  await page.locator('#power').waitFor({ state: 'visible' });
  const cls = Number(await page.evaluate('window.__cls'));
  assert.ok(cls < 0.1, `cumulative layout shift ${cls}`);
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, 'dashboard-desktop.png'), fullPage: true });
  await cdp.detach();
});

/** Every section but #power, where it is on the page (document coordinates). */
const SECTION_BOXES = `[...document.querySelectorAll('main > section:not(#power)')].map((e) => { const r = e.getBoundingClientRect(); return [e.id, r.x, r.y + scrollY, r.width, r.height]; })`;

test('power on the simulated default: the charts draw status.power readings, the battery moves on the fast day, the section appearing moves nothing', async () => {
  interface Power { stateOfCharge: number; batteryVolts: number; panelWatts: number; lastReadingAt: number }
  const captions = (p: Power) => [['Battery charge', '%', p.stateOfCharge], ['Battery', 'V', p.batteryVolts], ['Panel', 'W', p.panelWatts]].map(([n, u, v]) => `${n}: ${(v as number).toFixed(2)} ${u}`);
  // Real data: the captions are GET /status's power figures (the emulated INA3221 on the simulated battery and panel).
  const first = await eventually('the power captions show what GET /status says', async () => {
    const p = (await a.get('/status')).power as Power | undefined;
    const shown = await page.locator('#power .caption').allTextContents();
    return p && typeof p.panelWatts === 'number' && JSON.stringify(shown) === JSON.stringify(captions(p)) ? p : undefined;
  }, 20_000);
  for (const key of ['soc', 'batteryVolts', 'panelWatts']) assert.ok(await page.locator(`#power svg[data-series="${key}"] polyline`).count(), `chart ${key} drawn`);
  // The fast day (10 min a day, a reading every 5 s): a later reading has moved the charge, and the chart drew it.
  const ys = async (key: string) => ((await page.locator(`#power svg[data-series="${key}"] polyline`).getAttribute('points')) ?? '').split(' ').map((xy) => xy.split(',')[1]);
  await eventually('the battery charge moved and its chart shows it', async () => {
    const p = (await a.get('/status')).power as Power;
    if (!(p.lastReadingAt > first.lastReadingAt) || p.stateOfCharge === first.stateOfCharge) return false;
    return new Set(await ys('soc')).size >= 2 && Number(await page.locator('#power svg[data-series="soc"]').getAttribute('data-points')) >= 2;
  }, 30_000);
  const panelPoints = Number(await page.locator('#power svg[data-series="panelWatts"]').getAttribute('data-points'));
  assert.ok(panelPoints >= 2, `the panel chart follows the readings too (${panelPoints} points)`);
  // The section appearing moves no other section (it comes last, in a cell of its own), and it is below the fold.
  const boxes = await page.evaluate(`(() => { const p = document.getElementById('power'); const shown = ${SECTION_BOXES}; p.hidden = true; const hidden = ${SECTION_BOXES}; p.hidden = false; return { shown, hidden, top: p.getBoundingClientRect().top + scrollY, fold: innerHeight }; })()`) as { shown: unknown; hidden: unknown; top: number; fold: number };
  assert.equal(boxes.shown, boxes.hidden, 'no section moves when the power section appears');
  assert.ok(boxes.top >= boxes.fold, `the power section starts below the fold (${boxes.top} px, fold ${boxes.fold} px)`);
  console.log(`power on the sim: ${first.stateOfCharge} % → ${((await a.get('/status')).power as Power).stateOfCharge} %, panel ${first.panelWatts} W, section at ${boxes.top} px (fold ${boxes.fold} px)`);
});

test('at 360 px: the short id stays in the header, nothing scrolls sideways, the send box is labelled', async () => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.locator('#short-id', { hasText: a.shortId }).waitFor();
  await page.mouse.wheel(0, 1500);
  const box = await page.locator('#short-id').boundingBox();
  assert.ok(box && box.x >= 0 && box.x + box.width <= 360 && box.y >= 0 && box.y < 80, `short id in the header: ${JSON.stringify(box)}`);
  assert.ok(Number(await page.evaluate('document.documentElement.scrollWidth')) <= 360, 'no horizontal scroll');
  for (const control of [page.getByLabel('To', { exact: true }), page.getByLabel('Message', { exact: true }), page.getByRole('button', { name: 'Send' })]) {
    await control.scrollIntoViewIfNeeded();
    const b = await control.boundingBox();
    assert.ok(b && b.x >= 0 && b.x + b.width <= 360, `a send-box control fits the width: ${JSON.stringify(b)}`);
  }
  // Scrolled down to the send box, the header (and the short id in it) is still on screen.
  const again = await page.locator('#short-id').boundingBox();
  assert.ok(again && again.y >= 0 && again.y < 80, `short id still in the header: ${JSON.stringify(again)}`);
  await page.screenshot({ path: join(SHOTS, 'dashboard-phone.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
});

/** Visible text whose contrast with its background is below WCAG AA (4.5:1, 3:1 for large text). */
const LOW_CONTRAST = `(() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || ['255', '255', '255']).map(Number);
  const lum = (c) => { const [r, g, b] = rgb(c).slice(0, 3).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const bg = (el) => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length < 4 || c[3] > 0.5) return getComputedStyle(e).backgroundColor; } return getComputedStyle(document.documentElement).backgroundColor || 'rgb(255, 255, 255)'; };
  const bad = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!el.getClientRects().length) continue;
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden') continue;
    const a = lum(cs.color), b = lum(bg(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(cs.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(cs.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) bad.push(el.tagName + '.' + el.className + ' ' + JSON.stringify(el.textContent.trim().slice(0, 30)) + ' ' + ratio.toFixed(2));
  }
  return bad;
})()`;

test('contrast: every visible text meets WCAG AA in light and dark colours; the send box works from the keyboard', async () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    assert.equal(await page.evaluate(LOW_CONTRAST), [], `${colorScheme} colours`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.focus('#send-to');
  await page.keyboard.press('Tab');
  assert.is(await page.evaluate('document.activeElement.id'), 'send-text');
  await page.keyboard.press('Tab');
  assert.is(await page.evaluate('document.activeElement.id'), 'send-button');
});

test('the stream refused: the page falls back to polling and still shows the relay', async () => {
  const other = await context.newPage();
  await other.route('**/events*', (route) => route.abort());
  await other.goto(a.api + '/');
  await other.locator('#conn', { hasText: 'polling' }).waitFor({ timeout: 15_000 });
  await other.locator('#short-id', { hasText: a.shortId }).waitFor();
  await other.locator('[data-bearer="lora0"]').waitFor();
  await other.close();
});

test("a message typed in the send box arrives in B's inbox; our sent list shows its state", async () => {
  const text = `hello B from the dashboard ${Date.now()}`;
  await page.getByLabel('To', { exact: true }).fill(b.nodeId);
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
  await page.locator('#sent-list li', { hasText: text }).waitFor();
  const state = await page.locator('#sent-list li', { hasText: text }).getAttribute('data-state');
  assert.ok(['queued', 'accepted', 'delivered'].includes(state!), `state ${state}`);
  await eventually("B's inbox has it", async () => ((await b.get('/inbox')).entries as { text: string }[]).some((e) => e.text === text));
  await page.locator('#sent-list li[data-state="delivered"], #sent-list li[data-state="accepted"]', { hasText: text }).waitFor({ timeout: 15_000 });
});

test('the airtime chart moves after a send over LoRa', async () => {
  const status = await a.get('/status');
  const loraPeer = (status.bearers as { name: string; peers: string[] }[]).find((x) => x.name === 'lora0')!.peers[0]!;
  const chart = page.locator('[data-bearer="lora0"] svg[data-used-ms]');
  await chart.waitFor();
  const before = Number(await chart.getAttribute('data-used-ms'));
  await page.getByLabel('To', { exact: true }).fill(loraPeer);
  await page.getByLabel('Message', { exact: true }).fill(`over the air ${'x'.repeat(120)}`);
  await page.getByRole('button', { name: 'Send' }).press('Enter');
  await eventually('the airtime chart rose', async () => Number(await chart.getAttribute('data-used-ms')) > before, 15_000);
});

test('power charts and the map: shown from status.power and node positions (OSM tiles answered locally)', async () => {
  const fake = new FakeRelayNode();
  let soc = 80;
  const node = Object.assign(Object.create(fake) as FakeRelayNode, {
    status: (): NodeStatus => ({
      ...fake.status(),
      // Only the fields the page reads; the rest of PowerView is not shown.
      power: { stateOfCharge: (soc += 1), batteryVolts: 12.6, batteryAmps: 0.4, panelWatts: 18.5 } as unknown as NonNullable<NodeStatus['power']>,
      radios: [{
        name: 'mt0', mesh: 'meshtastic', link: { state: 'up', reconnects: 0 }, channels: [],
        nodes: [
          { address: 'mt:!0b0b0b0b', name: 'Bob', lastHeard: Date.now(), snr: 6, position: { lat: 52.52, lon: 13.405 } },
          { address: 'mt:!0c0c0c0c', name: 'Carol', lastHeard: Date.now(), position: { lat: 52.53, lon: 13.42 } },
        ],
      }],
    }),
  });
  const server = new ApiServer({ node, host: '127.0.0.1', port: 0, dashboard: { eventsIntervalMs: 100 } });
  await server.start();
  const p = await context.newPage();
  const errors: string[] = [];
  p.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  const tiles: string[] = [];
  // A 1×1 PNG for every tile: the test never goes online.
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
  await p.route('https://tile.openstreetmap.org/**', (route) => {
    tiles.push(route.request().url());
    return route.fulfill({ status: 200, contentType: 'image/png', body: png });
  });
  try {
    await p.goto(server.url + '/');
    await p.locator('#power .caption', { hasText: 'Battery charge' }).waitFor();
    assert.ok(await p.locator('#power').isVisible());
    assert.is(await p.locator('#power svg').count(), 3, 'battery charge, battery volts, panel watts');
    await p.locator('#map .pin').first().waitFor();
    assert.is(await p.locator('#map .pin').count(), 2);
    assert.ok(tiles.length >= 6 && tiles.every((u) => /\/12\/\d+\/\d+\.png$/.test(u)), tiles.join(' '));
    assert.ok(await p.locator('#neighbour-list tr', { hasText: 'Bob' }).isVisible(), 'the list stays under the map');
    // The battery chart follows the stream.
    const first = await p.locator('#power .caption').first().textContent();
    await eventually('the battery chart moved', async () => (await p.locator('#power .caption').first().textContent()) !== first, 5_000);
    assert.equal(errors, []);
  } finally {
    await p.close();
    await server.stop();
  }
});

test.run();
