// Lattice relay dashboard. Plain JavaScript, no build step, nothing from elsewhere: what the relay serves is what
// runs. Data: GET /status, /inbox, /sent once, then ONE Server-Sent Events stream (/events); polling only while
// that stream is down. Everything from the mesh is text put in with textContent (never HTML).
'use strict';

const $ = (id) => document.getElementById(id);
/** An element with attributes and children (strings become text nodes). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}
const svgNs = 'http://www.w3.org/2000/svg';
function s(tag, attrs) {
  const el = document.createElementNS(svgNs, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}
function ago(ms) {
  if (!ms) return 'never';
  const d = Math.max(0, Date.now() - ms) / 1000;
  if (d < 60) return `${Math.round(d)} s ago`;
  if (d < 3600) return `${Math.round(d / 60)} min ago`;
  if (d < 86400) return `${Math.round(d / 3600)} h ago`;
  return new Date(ms).toLocaleDateString();
}
const fmt = (n, digits = 1) => (typeof n === 'number' && Number.isFinite(n) ? n.toFixed(digits) : '–');
function bytes(n) {
  if (typeof n !== 'number') return '–';
  if (n < 1024) return `${n} B`;
  if (n < 1048576) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1048576).toFixed(1)} MiB`;
}
/** Replaces an element's children only when they changed (keeps focus and scroll where they are). */
function fill(el, ...children) {
  const next = h('div', {}, ...children);
  if (el.innerHTML === next.innerHTML) return;
  el.replaceChildren(...next.childNodes);
}

// ---- state -------------------------------------------------------------------------------------------------------

const state = {
  status: undefined,
  inbox: [],
  sent: [],
  logs: [],
  shards: undefined,
  /** Per chart key: [{ t, v }], the last 90 samples (3 min at the stream's 2 s). */
  series: new Map(),
  /** status.power.lastReadingAt of the last reading charted. */
  powerReadingAt: undefined,
};
const HOUR_MS = 3600000;

function sample(key, v) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return;
  let a = state.series.get(key);
  if (!a) state.series.set(key, (a = []));
  a.push({ t: Date.now(), v });
  if (a.length > 90) a.shift();
}

// ---- rendering ---------------------------------------------------------------------------------------------------

function renderIdentity(st) {
  $('short-id').textContent = st.shortId;
  document.title = `Lattice ${st.shortId}`;
  const up = st.uptimeSeconds;
  fill($('identity-list'),
    h('dt', {}, 'Short id'), h('dd', { class: 'mono' }, st.shortId),
    h('dt', {}, 'Node id'), h('dd', { class: 'mono' }, st.nodeId),
    h('dt', {}, 'Version'), h('dd', {}, st.version),
    h('dt', {}, 'Up'), h('dd', {}, up < 3600 ? `${Math.floor(up / 60)} min` : `${Math.floor(up / 3600)} h ${Math.floor((up % 3600) / 60)} min`),
    h('dt', {}, 'Peers'), h('dd', {}, String(st.peers.length)));
}

/** What each bearer says about its radio, in one shape: protocol, preset, channel use, airtime used and budget. */
function radioFacts(b, st) {
  const d = b.detail || {};
  const r = (st.radios || []).find((x) => x.name === b.name);
  const f = { protocol: b.kind, preset: undefined, region: undefined, channelUtil: undefined, airUsedMs: undefined, airBudgetMs: undefined };
  if (b.kind === 'lora') {
    f.protocol = 'Lattice LoRa';
    f.preset = `SF${d.spreadingFactor} ${d.bandwidthHz / 1000} kHz ${d.codingRate ?? ''}`;
    f.region = d.region;
    f.airUsedMs = d.airtimeWindowMs;
    f.airBudgetMs = d.airtimeBudgetMs;
  } else if (b.kind === 'meshtastic-native') {
    f.protocol = 'Meshtastic (native)';
    f.preset = d.modemPreset;
    f.region = d.region;
    f.channelUtil = d.channelUtilizationPercent;
    if (typeof d.airUtilTxPercent === 'number') f.airUsedMs = (d.airUtilTxPercent / 100) * HOUR_MS;
    // A region without a duty-cycle law (100 %) has no budget line.
    if (typeof d.dutyCyclePercent === 'number' && d.dutyCyclePercent < 100) f.airBudgetMs = (d.dutyCyclePercent / 100) * HOUR_MS;
  } else if (b.kind === 'meshtastic') {
    f.protocol = 'Meshtastic (companion)';
    f.preset = d.modemPreset ?? r?.modulation?.preset;
    f.region = d.region ?? r?.modulation?.region;
    if (typeof d.channelUtilization === 'number') f.channelUtil = d.channelUtilization;
    if (typeof d.airUtilTx === 'number') f.airUsedMs = (d.airUtilTx / 100) * HOUR_MS;
  } else if (b.kind === 'meshcore') {
    f.protocol = 'MeshCore (companion)';
    const m = d.radio;
    if (m) f.preset = `${m.freqMHz} MHz SF${m.sf} ${m.bwKHz} kHz CR${m.cr}`;
  }
  return f;
}

/** Airtime used in the last hour against the hour's duty budget, as an inline SVG line chart. */
function airtimeChart(key, usedMs, budgetMs) {
  const pts = state.series.get(key) || [];
  const W = 300, H = 56;
  // Scaled to what was used, so a relay far below its budget still shows its traffic; the budget line appears once
  // use comes within reach of it (the meter below always shows the share).
  const most = Math.max(...pts.map((p) => p.v), 1);
  const top = budgetMs && most * 1.5 >= budgetMs * 0.5 ? Math.max(budgetMs, most) * 1.1 : most * 1.5;
  const x = (i) => (pts.length < 2 ? W : (i / (pts.length - 1)) * W);
  const y = (v) => H - (v / top) * H;
  const label = `Airtime used in the last hour: ${fmt(usedMs / 1000)} s${budgetMs ? ` of a ${fmt(budgetMs / 1000, 0)} s budget (${fmt((100 * usedMs) / budgetMs)} %)` : ''}`;
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': label, 'data-used-ms': Math.round(usedMs), 'data-budget-ms': budgetMs ?? '', 'data-chart': key });
  svg.append(s('rect', { class: 'frame', x: 0, y: 0, width: W, height: H }));
  if (budgetMs && budgetMs <= top) svg.append(s('line', { class: 'budget', x1: 0, x2: W, y1: y(budgetMs), y2: y(budgetMs) }));
  if (pts.length) svg.append(s('polyline', { class: 'used', points: pts.map((p, i) => `${x(i).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ') }));
  const meter = budgetMs ? h('meter', { min: 0, max: budgetMs, high: budgetMs * 0.8, value: Math.min(usedMs, budgetMs), 'aria-label': 'share of the hour\'s airtime budget used' }) : null;
  return [svg, h('div', { class: 'caption' }, label), meter];
}

function renderRadios(st) {
  const cards = st.bearers.map((b) => {
    const f = radioFacts(b, st);
    const key = `air:${b.name}`;
    const facts = [
      h('li', {}, f.protocol),
      f.preset && h('li', {}, `preset ${f.preset}`),
      f.region && h('li', {}, `region ${f.region}`),
      typeof f.channelUtil === 'number' && h('li', {}, `channel use ${fmt(f.channelUtil)} %`),
      h('li', {}, `${b.peers.length} ${b.peers.length === 1 ? 'peer' : 'peers'}`),
    ];
    return h('article', { class: 'card', 'data-bearer': b.name },
      h('h3', {}, b.name, h('span', { class: `state ${b.state}` }, b.state)),
      h('ul', { class: 'facts' }, facts),
      typeof f.airUsedMs === 'number' ? airtimeChart(key, f.airUsedMs, f.airBudgetMs) : null);
  });
  fill($('radio-list'), cards);
}

/** Nodes heard, per radio, with signal where the radio reports it. */
function heardNodes(st) {
  const rows = [];
  for (const b of st.bearers) {
    const d = b.detail || {};
    if (Array.isArray(d.neighbours)) {
      for (const n of d.neighbours) {
        const peer = st.peers.find((p) => p.id === n.id || p.id === `mt:${n.id}`);
        rows.push({ radio: b.name, name: n.name ?? peer?.name ?? peer?.shortId ?? String(n.id).slice(0, 12), snr: n.snr, rssi: n.rssi, lastHeard: n.lastHeard, position: n.position });
      }
    }
  }
  for (const r of st.radios || []) {
    for (const n of r.nodes) {
      if (rows.some((x) => x.radio === r.name && x.name === n.name)) continue;
      rows.push({ radio: r.name, name: n.name ?? n.shortName ?? n.address, snr: n.snr, rssi: n.rssi, lastHeard: n.lastHeard, hops: n.hops, position: n.position });
    }
  }
  return rows;
}

function renderNeighbours(st) {
  const rows = heardNodes(st);
  if (rows.length === 0) return fill($('neighbour-list'), h('p', { class: 'muted' }, 'No node heard yet.'));
  fill($('neighbour-list'), h('div', { class: 'scroll' }, h('table', {},
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Node'), h('th', { scope: 'col' }, 'Radio'), h('th', { scope: 'col', class: 'num' }, 'SNR dB'), h('th', { scope: 'col', class: 'num' }, 'RSSI dBm'), h('th', { scope: 'col' }, 'Last heard'))),
    h('tbody', {}, rows.map((r) => h('tr', { 'data-radio': r.radio },
      h('td', {}, r.name, r.hops ? h('span', { class: 'muted' }, ` (${r.hops} hops)`) : null), h('td', {}, r.radio),
      h('td', { class: 'num' }, fmt(r.snr, 1)), h('td', { class: 'num' }, fmt(r.rssi, 0)), h('td', {}, ago(r.lastHeard))))))));
  renderMap(rows.filter((r) => r.position && Number.isFinite(r.position.lat) && Number.isFinite(r.position.lon)));
}

/** OpenStreetMap tiles when online and positions are known; the list above stays either way. */
function renderMap(located) {
  const map = $('map');
  if (located.length === 0 || !navigator.onLine) {
    map.hidden = true;
    return;
  }
  const lat = located.reduce((a, r) => a + r.position.lat, 0) / located.length;
  const lon = located.reduce((a, r) => a + r.position.lon, 0) / located.length;
  const z = 12;
  const n = 2 ** z;
  const tx = ((lon + 180) / 360) * n;
  const latR = (lat * Math.PI) / 180;
  const ty = ((1 - Math.log(Math.tan(latR) + 1 / Math.cos(latR)) / Math.PI) / 2) * n;
  // A 3×2 mosaic with the centre in its middle column and in whichever row half it falls.
  const x0 = Math.floor(tx) - 1, y0 = Math.floor(ty) - (ty % 1 < 0.5 ? 1 : 0);
  const key = `${z}/${x0}/${y0}`;
  if (map.dataset.key !== key) {
    map.dataset.key = key;
    const tiles = [];
    for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 3; dx++) {
      const img = h('img', { src: `https://tile.openstreetmap.org/${z}/${x0 + dx}/${y0 + dy}.png`, alt: '', width: 256, height: 256 });
      img.style.left = `${(dx * 100) / 3}%`;
      img.style.top = `${dy * 50}%`;
      img.onerror = () => { map.hidden = true; };
      tiles.push(img);
    }
    map.replaceChildren(...tiles, h('span', { class: 'credit' }, '© OpenStreetMap contributors'));
  }
  map.querySelectorAll('.pin').forEach((p) => p.remove());
  for (const r of located) {
    const px = ((r.position.lon + 180) / 360) * n - x0;
    const lr = (r.position.lat * Math.PI) / 180;
    const py = ((1 - Math.log(Math.tan(lr) + 1 / Math.cos(lr)) / Math.PI) / 2) * n - y0;
    const pin = h('span', { class: 'pin', title: r.name, role: 'img', 'aria-label': r.name });
    pin.style.left = `${(px * 100) / 3}%`;
    pin.style.top = `${(py * 100) / 2}%`;
    map.append(pin);
  }
  map.hidden = false;
}

function renderPeerOptions(st) {
  const opts = [h('option', { value: '*' }, 'everyone (broadcast)')];
  for (const p of st.peers) opts.push(h('option', { value: /^[0-9a-f]{64}$/.test(p.id) ? p.shortId : p.id }, p.name ? `${p.name} (${p.bearers.join(', ')})` : p.bearers.join(', ')));
  fill($('peer-options'), opts);
}

function renderBridge(st) {
  const b = st.bridge;
  if (!b) return fill($('bridge-body'), h('p', { class: 'muted' }, 'No bridge running.'));
  const drops = Object.entries(b.dropped || {});
  fill($('bridge-body'),
    h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Direction'), h('th', { scope: 'col', class: 'num' }, 'Bridged'), h('th', { scope: 'col', class: 'num' }, 'Queued'))),
      h('tbody', {}, Object.keys(b.bridged).map((dir) => h('tr', {}, h('td', {}, dir === 'mt-to-mc' ? 'Meshtastic → MeshCore' : dir === 'mc-to-mt' ? 'MeshCore → Meshtastic' : dir),
        h('td', { class: 'num', 'data-bridged': dir }, String(b.bridged[dir])), h('td', { class: 'num' }, String(b.queues[dir] ?? 0)))))),
    h('h3', {}, 'Dropped'),
    drops.length === 0 ? h('p', { class: 'muted' }, 'Nothing dropped.') : h('table', {}, h('tbody', {}, drops.map(([reason, n]) => h('tr', {}, h('td', {}, reason), h('td', { class: 'num' }, String(n)))))));
}

/** Battery and panel from the power monitor (GET /status `power`, when the relay has one). */
function renderPower(st) {
  const p = st.power;
  $('power').hidden = !p;
  if (!p) return;
  // One point per reading of the monitor (it samples every few seconds, the stream ticks every 2 s); per tick when the
  // relay does not say when it read.
  if (p.lastReadingAt === undefined || p.lastReadingAt !== state.powerReadingAt) {
    state.powerReadingAt = p.lastReadingAt;
    sample('soc', p.stateOfCharge);
    sample('batteryVolts', p.batteryVolts);
    sample('panelWatts', p.panelWatts);
  }
  const charts = [['soc', 'Battery charge', '%', p.stateOfCharge], ['batteryVolts', 'Battery', 'V', p.batteryVolts], ['panelWatts', 'Panel', 'W', p.panelWatts]]
    .filter(([, , , v]) => typeof v === 'number')
    .map(([key, name, unit, v]) => {
      const pts = state.series.get(key) || [];
      const lo = Math.min(...pts.map((q) => q.v)), hi = Math.max(...pts.map((q) => q.v));
      const span = hi - lo || 1;
      const svg = s('svg', { class: 'chart', viewBox: '0 0 300 56', preserveAspectRatio: 'none', role: 'img', 'aria-label': `${name}: ${fmt(v, 2)} ${unit}`, 'data-series': key, 'data-points': pts.length });
      svg.append(s('rect', { class: 'frame', x: 0, y: 0, width: 300, height: 56 }));
      if (pts.length) svg.append(s('polyline', { class: 'used', points: pts.map((q, i) => `${pts.length < 2 ? 300 : ((i / (pts.length - 1)) * 300).toFixed(1)},${(52 - ((q.v - lo) / span) * 48).toFixed(1)}`).join(' ') }));
      return h('div', {}, h('div', { class: 'caption' }, `${name}: ${fmt(v, 2)} ${unit}`), svg);
    });
  fill($('power-body'), charts);
}

function renderStore(st) {
  const v = st.vault || {};
  fill($('store-list'),
    h('dt', {}, 'Outbox'), h('dd', {}, `${st.outbox.queued} queued, ${st.outbox.accepted} accepted, ${st.outbox.delivered} delivered, ${st.outbox.expired} expired`),
    h('dt', {}, 'Inbox'), h('dd', {}, String(st.inbox)),
    h('dt', {}, 'Stored bundles'), h('dd', {}, String(st.stored)),
    h('dt', {}, 'Vault'), h('dd', {}, `${bytes(v.usedBytes)}${v.maxBytes ? ` of ${bytes(v.maxBytes)}` : ''}${v.refusing ? ` (refusing: ${v.refusing})` : ''}`));
}

function renderShards() {
  const sh = state.shards;
  if (!sh) return;
  const keys = Object.entries(sh).filter(([, x]) => typeof x === 'number');
  fill($('shards-body'), h('h3', {}, 'Shard store'), h('dl', { class: 'kv' }, keys.flatMap(([k, x]) => [h('dt', {}, k), h('dd', {}, /bytes/i.test(k) ? bytes(x) : k === 'hitRate' ? `${fmt(x * 100, 0)} %` : String(x))])));
}

function renderStatus(st) {
  state.status = st;
  for (const b of st.bearers) {
    const f = radioFacts(b, st);
    sample(`air:${b.name}`, f.airUsedMs);
  }
  renderIdentity(st);
  renderRadios(st);
  renderNeighbours(st);
  renderPeerOptions(st);
  renderBridge(st);
  renderPower(st);
  renderStore(st);
}

function renderInbox() {
  const items = state.inbox.slice(-100).reverse().map((e) => h('li', { 'data-id': e.id },
    e.text, h('span', { class: 'meta' }, `from ${e.fromName ?? e.fromShortId} · ${ago(e.receivedAt)}${e.hops ? ` · ${e.hops} hops` : ''}`)));
  fill($('inbox-list'), items.length ? items : [h('li', { class: 'muted' }, 'No message yet.')]);
}

function renderSent() {
  const items = state.sent.slice().reverse().map((e) => h('li', { 'data-id': e.id, 'data-state': e.state },
    e.text ?? h('span', { class: 'muted' }, '(text no longer kept)'), ' ', h('span', { class: `badge ${e.state}` }, e.state),
    h('span', { class: 'meta' }, `to ${e.to.length === 64 ? e.to.slice(0, 12) + '…' : e.to}${e.origin ? ` · from ${e.origin.name ?? e.origin.id}` : ''} · ${ago(e.sentAt)}`)));
  fill($('sent-list'), items.length ? items : [h('li', { class: 'muted' }, 'Nothing sent from here yet.')]);
}

const LEVELS = { error: 1, warn: 2, info: 3, debug: 4, trace: 5 };
function renderLog() {
  const max = LEVELS[$('log-level').value] ?? 3;
  const items = state.logs.filter((e) => LEVELS[e.level] <= max).slice(-150).reverse().map((e) => h('li', { class: e.level },
    h('span', { class: 'lvl' }, e.level), `${new Date(e.time).toLocaleTimeString()} ${e.namespace}: ${e.message}`, e.detail ? h('span', { class: 'muted' }, ` ${e.detail}`) : null));
  fill($('log-list'), items.length ? items : [h('li', { class: 'muted' }, 'Nothing at this level.')]);
}

// ---- data ------------------------------------------------------------------------------------------------------

async function getJson(path) {
  const r = await fetch(path, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  if (r.status === 401) {
    // The login ended (token changed): the page at / shows the form again.
    location.reload();
    throw new Error('login needed');
  }
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return r.json();
}

function addInbox(entries, announce = false) {
  const seen = new Set(state.inbox.map((e) => e.id));
  const fresh = entries.filter((e) => !seen.has(e.id));
  state.inbox.push(...fresh);
  // Screen readers hear new messages once, not the whole list at every refresh.
  if (announce && fresh.length) $('announce').textContent = fresh.map((e) => `New message from ${e.fromName ?? e.fromShortId}: ${e.text}`).join('. ');
  if (state.inbox.length > 200) state.inbox.splice(0, state.inbox.length - 200);
  renderInbox();
}
const newestInbox = () => state.inbox.reduce((m, e) => Math.max(m, e.receivedAt), 0);
function addLogs(events) {
  const last = state.logs.length ? state.logs[state.logs.length - 1].seq : 0;
  for (const e of events) if (e.seq > last) state.logs.push(e);
  if (state.logs.length > 300) state.logs.splice(0, state.logs.length - 300);
  renderLog();
}

function setConn(mode, text) {
  const c = $('conn');
  c.className = `conn ${mode}`;
  c.textContent = text;
}

let source;
let pollTimer;

/**
 * The one live stream. While it is down the page polls every 5 s; the browser retries the stream by itself (3 s),
 * and when it gave up (a refusal) the page opens a new one every 30 s. The first event on a stream stops polling.
 */
function connect() {
  const since = newestInbox();
  const logSince = state.logs.length ? state.logs[state.logs.length - 1].seq : 0;
  source = new EventSource(`/events?inboxSince=${since}&logSince=${logSince}`);
  source.addEventListener('open', () => {
    stopPolling();
    setConn('live', 'live');
  });
  source.addEventListener('status', (ev) => renderStatus(JSON.parse(ev.data)));
  source.addEventListener('inbox', (ev) => addInbox(JSON.parse(ev.data).entries, true));
  source.addEventListener('sent', (ev) => { state.sent = JSON.parse(ev.data).entries; renderSent(); });
  source.addEventListener('log', (ev) => addLogs(JSON.parse(ev.data).events));
  source.addEventListener('shards', (ev) => { state.shards = JSON.parse(ev.data); renderShards(); });
  source.addEventListener('error', () => {
    startPolling();
    if (source.readyState === EventSource.CLOSED) setTimeout(connect, 30000);
  });
}

function startPolling() {
  setConn('polling', 'polling');
  if (pollTimer) return;
  const poll = async () => {
    try {
      renderStatus(await getJson('/status'));
      addInbox((await getJson(`/inbox?since=${newestInbox()}`)).entries, true);
      state.sent = (await getJson('/sent')).entries;
      renderSent();
      setConn('polling', 'polling');
    } catch {
      setConn('down', 'relay unreachable');
    }
  };
  pollTimer = setInterval(poll, 5000);
  poll();
}
function stopPolling() {
  clearInterval(pollTimer);
  pollTimer = undefined;
}

async function send(ev) {
  ev.preventDefault();
  const to = $('send-to').value.trim();
  const text = $('send-text').value;
  const result = $('send-result');
  const button = $('send-button');
  button.disabled = true;
  result.className = 'result';
  result.textContent = 'Sending…';
  try {
    const r = await fetch('/send', { method: 'POST', headers: { 'content-type': 'application/json' }, credentials: 'same-origin', body: JSON.stringify({ to, text }) });
    const body = await r.json().catch(() => ({}));
    if (r.status !== 202) throw new Error(body.error?.message ?? `the relay answered ${r.status}`);
    result.textContent = 'Queued.';
    $('send-text').value = '';
    state.sent.push({ id: body.bundleId, to, text, sentAt: Date.now(), state: 'queued' });
    renderSent();
  } catch (err) {
    result.className = 'result error';
    result.textContent = `Not sent: ${err.message}`;
  } finally {
    button.disabled = false;
  }
}

async function start() {
  $('send-form').addEventListener('submit', send);
  $('log-level').addEventListener('change', renderLog);
  try {
    const [st, inbox, sent] = await Promise.all([getJson('/status'), getJson('/inbox?limit=50'), getJson('/sent')]);
    renderStatus(st);
    addInbox(inbox.entries);
    state.sent = sent.entries;
    renderSent();
  } catch {
    setConn('down', 'relay unreachable');
  }
  // The logout button only where a login exists (a token is set).
  getJson('/session').then((sn) => { $('logout-form').classList.toggle('invisible', !sn.loginRequired); }, () => {});
  if (typeof EventSource === 'function') connect();
  else startPolling();
  // Relative times ("12 s ago") stay true between events.
  setInterval(() => { renderInbox(); renderSent(); }, 15000);
}

start();
