/**
 * A MeshCore Wi-Fi companion serves one TCP client and stops the old one when another connects (the simulator does
 * as SerialWifiInterface does): the gateway must see that as a displacement and back off, not take the radio back.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type Socket } from 'node:net';
import { createMetrics } from '../../metrics/metrics.js';
import { startMeshCoreSim } from '../../../firmware-protocol/meshcore/sim/start-sim.js';
import { meshCoreOpener } from './device-opener.js';
import { MeshCoreGateway } from './meshcore-gateway.js';
import { until } from './testing/gateway-suite.js';

interface Detail {
  total: number;
  streak: number;
  backingOff: boolean;
  lastAt?: number;
  retryAt?: number;
}

async function rig() {
  const sim = await startMeshCoreSim({ tcpPort: 0, nodes: [{ name: 'Bob', hops: 1 }], nodeName: 'Roof', tcpSingleClient: true });
  const base = meshCoreOpener(`127.0.0.1:${sim.tcpPort}`);
  const opens: number[] = [];
  const logs: string[] = [];
  const rec = (level: string) => (message: string) => void logs.push(`${level} ${message}`);
  const registry = createMetrics({ defaultMetrics: false });
  const gw = new MeshCoreGateway({
    name: 'meshcore0', metrics: registry, log: { debug() {}, info: rec('info'), warn: rec('warn') },
    open: (o) => {
      opens.push(Date.now());
      return base(o);
    },
    reconnect: { initialMs: 100, maxMs: 1000 },
    displacement: { initialMs: 400, stableMs: 60_000 },
  });
  await gw.start();
  await gw.whenUp({ signal: AbortSignal.timeout(15_000) });
  const sockets: Socket[] = [];
  return {
    sim, gw, opens, logs, registry,
    displacement: () => gw.status().detail!.displacement as Detail,
    /** An app that connects again as soon as it is kicked, until `stop()`. */
    persistentApp(): { stop(): void } {
      let on = true;
      const go = () => {
        const s = connect({ host: '127.0.0.1', port: sim.tcpPort! });
        s.on('error', () => {});
        s.on('close', () => { if (on) go(); });
        sockets.push(s);
      };
      go();
      return { stop: () => { on = false; } };
    },
    async phoneApp(): Promise<void> {
      await new Promise<void>((res) => {
        const s = connect({ host: '127.0.0.1', port: sim.tcpPort! }, () => res());
        s.on('error', () => {});
        sockets.push(s);
      });
    },
    async close() {
      for (const s of sockets) s.destroy();
      await gw.stop();
      await sim.stop();
    },
  };
}

test('another TCP client takes the companion: one warning, counted, in status, no reconnect within the back-off', async () => {
  const r = await rig();
  try {
    const n = r.opens.length;
    await r.phoneApp();
    await until('displaced', () => r.displacement().total === 1);
    const d = r.displacement();
    assert.is(r.gw.status().state, 'down');
    assert.ok(d.backingOff);
    assert.ok(d.retryAt! - d.lastAt! >= 400, `back-off ${d.retryAt! - d.lastAt!} ms`);
    assert.match(await r.registry.render(), /lattice_meshcore_displaced_total\{bearer="meshcore0"\} 1/);
    await until('the gateway connects again', () => r.opens.length === n + 1);
    assert.ok(r.opens[n]! - d.lastAt! >= 400, `connected again ${r.opens[n]! - d.lastAt!} ms after the displacement`);
    await r.gw.whenUp({ signal: AbortSignal.timeout(15_000) });
    assert.equal(r.logs.filter((l) => /^warn displaced from the radio/.test(l)).length, 1);
    assert.not.ok(r.logs.includes('warn MeshCore radio down'), 'not reported as a lost radio');
  } finally {
    await r.close();
  }
});

test('an app that reconnects at once (kicking the gateway mid-handshake too): the waits double, one warning', async () => {
  const r = await rig();
  const app = r.persistentApp();
  try {
    const first = r.opens.length;
    const appAt = Date.now();
    await until('displaced three times', () => r.displacement().total >= 3);
    const tries = [appAt, ...r.opens.slice(first)];
    const gaps = tries.slice(1).map((t, i) => t - tries[i]!);
    assert.ok(gaps.length >= 2, `tries: ${gaps.length}`);
    gaps.slice(0, 2).forEach((g, i) => assert.ok(g >= 400 * 2 ** i, `try ${i + 1} came ${g} ms after the one before (gaps ${gaps.join(', ')})`));
    assert.equal(r.logs.filter((l) => /^warn displaced from the radio/.test(l)).length, 1);
    assert.not.ok(r.logs.some((l) => /^warn MeshCore (connect failed|radio down)/.test(l)), 'not reported as a failure');
  } finally {
    app.stop();
    await r.close();
  }
});

test('a dropped link (a reset, no FIN) is a lost radio, not a displacement', async () => {
  const r = await rig();
  try {
    await r.sim.disconnect({ downMs: 200 });
    await until('up again', () => r.gw.status().state === 'up' && r.logs.includes('warn MeshCore radio down'));
    assert.is(r.displacement().total, 0);
    assert.not.match(await r.registry.render(), /lattice_meshcore_displaced_total\{bearer="meshcore0"\} [1-9]/);
  } finally {
    await r.close();
  }
});

test.run();
