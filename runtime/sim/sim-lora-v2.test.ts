/**
 * `lattice run` with no config: the simulated default's Lattice LoRa radios (this relay's lora0, ridge, valley)
 * speak link version 2 to each other, as a configured `protocol: lattice` radio does by default (`v2` defaults on):
 * /status shows lora0 with link versions [1, 2] and its neighbours advertising v2, and /metrics counts v2 payloads
 * sent (`lattice_lora_bundles_out_total{encoding="v2"}`) and v2 sender checks (`lattice_lora_v2_sender_auth_total`).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RelayProcess, eventually, startInHook } from '../daemon/testing/relay-process.js';

let root = '';
let relay: RelayProcess;

test.before(async () => {
  root = mkdtempSync(join(tmpdir(), 'lattice-sim-v2-'));
  relay = new RelayProcess({ dataDir: join(root, 'data'), sim: true });
  await startInHook(relay);
});

test.after(async () => {
  await relay?.stop();
  if (process.env.LATTICE_KEEP_TMP === undefined) rmSync(root, { recursive: true, force: true });
});

interface Neighbour { id: string; v2?: boolean }

test('lora0 speaks v2 to ridge: link versions [1, 2], ridge advertises v2, v2 payloads counted on /metrics', async () => {
  const lora0 = await eventually('lora0 hears a v2 neighbour', async () => {
    const st = await relay.get('/status');
    const b = st.bearers.find((x: { name: string }) => x.name === 'lora0');
    return b?.detail?.neighbours?.some((n: Neighbour) => n.v2 === true) ? b : undefined;
  }, 30_000);
  assert.equal(lora0.detail.linkVersions, [1, 2]);
  const text = await eventually('a v2 payload sent by lora0', async () => {
    const t = await (await fetch(`http://127.0.0.1:${relay.metricsPort}/metrics`)).text();
    const m = /^lattice_lora_bundles_out_total\{bearer="lora0",encoding="v2"\} (\d+)/m.exec(t);
    return m && Number(m[1]) > 0 ? t : undefined;
  }, 60_000);
  assert.match(text, /^# HELP lattice_lora_v2_sender_auth_total/m);
});

test('GET /inbox: every entry says who sent it (senderAuth); a native Meshtastic neighbour\'s text is unsigned', async () => {
  const entries = await eventually('a native neighbour\'s text and a simulated relay\'s broadcast in the inbox', async () => {
    const { entries } = await relay.get('/inbox?limit=200');
    const native = entries.some((e: { fromName?: string }) => e.fromName === 'Hilltop' || e.fromName === 'Harbour');
    const lattice = entries.some((e: { fromName?: string; to: string }) => e.fromName === undefined && e.to === '*');
    return native && lattice ? entries : undefined;
  }, 60_000);
  for (const e of entries) assert.ok(['verified', 'pending', 'failed', 'unverifiable', 'unsigned'].includes(e.senderAuth), `${e.id}: ${e.senderAuth}`);
  const native = entries.find((e: { fromName?: string }) => e.fromName === 'Hilltop' || e.fromName === 'Harbour');
  assert.is(native.senderAuth, 'unsigned', 'the foreign sender is named, not authenticated');
});

test.run();
