import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSimMeshCoreArgs, runSimMeshCore } from './sim-cli.js';
import { TCPConnection } from '@liamcottle/meshcore.js';

test('arguments', () => {
  assert.equal(parseSimMeshCoreArgs(['--tcp']), { pty: false, tcpPort: 5000, host: '127.0.0.1', name: 'SimRadio', trafficSeconds: 0, offlineQueueSize: 16 });
  assert.is(parseSimMeshCoreArgs(['--tcp', '5001', '--name', 'Roof']).tcpPort, 5001);
  assert.is(parseSimMeshCoreArgs(['--tcp', '--host', '0.0.0.0']).host, '0.0.0.0');
  assert.ok(parseSimMeshCoreArgs(['--pty', '--traffic', '30']).pty);
  for (const bad of [[], ['--bogus'], ['--tcp', '--name'], ['--pty', '--name', 'x'.repeat(32)], ['--tcp', '70000']]) {
    assert.throws(() => parseSimMeshCoreArgs(bad), (e: Error) => e.name === 'SimUsageError', bad.join(' '));
  }
});

test('runs over TCP with the default mesh and prints where to connect', async () => {
  const lines: string[] = [];
  const sim = await runSimMeshCore(['--tcp', '0', '--name', 'Roof'], (l) => lines.push(l));
  try {
    assert.ok(lines.some((l) => l === `tcp: ${sim.tcpPort}`));
    assert.is(sim.tcpHost, '127.0.0.1', 'listens on loopback by default, as the Meshtastic simulator');
    const conn = new TCPConnection('127.0.0.1', sim.tcpPort!);
    const ready = new Promise((r) => conn.once('connected', r));
    await conn.connect();
    await ready;
    const contacts = await conn.getContacts();
    assert.equal(contacts.map((c: any) => c.advName).sort(), ['Alice', 'Bob', 'Hilltop Rptr']);
    await conn.close();
  } finally {
    await sim.stop();
  }
});

test('simulated traffic: repeaters advertise but never post on the Public channel (repeaters do not)', async () => {
  const { startMeshCoreSim } = await import('./start-sim.js');
  const { decodeMessageFrame } = await import('../message-frames.js');
  // A fast preset (a 40-byte packet ≈ 27 ms on the air instead of ≈ 0.4 s at the default SF8/62.5 kHz): the air's
  // pace is not the point, who posts is; eight lines then take ~0.4 s instead of ~5 s (and a tenth of the CPU).
  const sim = await startMeshCoreSim({ nodes: [{ name: 'Rpt', type: 2 }, { name: 'Alice' }], trafficIntervalMs: 2, radio: { bwHz: 500000, sf: 7, cr: 5 } });
  try {
    const deadline = Date.now() + 10_000;
    while (sim.device.ram.offlineQueue.length < 8 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const texts = sim.device.ram.offlineQueue.map((f) => decodeMessageFrame(f).text);
    assert.ok(texts.length >= 8, `traffic flowed (${texts.length})`);
    assert.equal(texts.filter((t) => t.startsWith('Rpt:')), []);
  } finally {
    await sim.stop();
  }
});

test.run();
