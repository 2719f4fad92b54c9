/**
 * A radio that vanishes (reboot, power, Wi-Fi) must look to its TCP client like a reset, never like a clean close:
 * the gateways read a clean close as a displacement by another client (runtime/bearers/displacement.ts). The hard case
 * is a radio that vanishes right after writing: a reset that reaches bytes the client has not read yet is reported by
 * Node as a plain end of stream (libuv: POLLHUP after a partial read is EOF).
 */
import { connect, type Socket } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeStreamFrame } from '../../framing/meshtastic-stream.js';
import { pythonWantConfig } from '../device/testing/python-cli.js';
import { startMeshtasticSim } from './start-meshtastic-sim.js';

/** How the client saw its connection end: 'reset' (an error such as ECONNRESET) or 'clean' (FIN, no error). */
function howItEnds(socket: Socket): Promise<'reset' | 'clean'> {
  return new Promise((resolve) => {
    let ended = false;
    let failed = false;
    socket.on('data', () => {});
    socket.on('end', () => (ended = true));
    socket.on('error', () => (failed = true));
    socket.on('close', () => resolve(failed || !ended ? 'reset' : 'clean'));
  });
}

test('a radio that vanishes mid-handshake, right after a write, is a reset even when the client reads late', async () => {
  // The client shares this event loop; the loop is held up right after the radio vanished (as a loaded machine
  // does), so that its timers are due before the client's socket is read again.
  let stall = false;
  const sim = await startMeshtasticSim({
    tcpPort: 0,
    seed: 3,
    log: (line) => {
      if (!stall || !line.startsWith('fault: dropping')) return;
      // After this turn (the radio vanished in it), before the next one reads the client's socket.
      setImmediate(() => {
        const until = performance.now() + 15;
        while (performance.now() < until) { /* busy: a loaded event loop */ }
      });
    },
  });
  try {
    for (let i = 0; i < 5; i++) {
      sim.device.faults.disconnectAfterHandshakeFrames = 3;
      stall = true;
      const socket = connect({ host: '127.0.0.1', port: sim.tcpPort! });
      const ends = howItEnds(socket);
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write(encodeStreamFrame(pythonWantConfig(1000 + i)));
      assert.is(await ends, 'reset', `connection ${i + 1}`);
    }
  } finally {
    await sim.stop();
  }
});

test.run();
