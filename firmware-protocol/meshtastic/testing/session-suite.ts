/**
 * One contract suite for the Meshtastic client session, run against the simulator over a real PTY and TCP
 * (runtime/bearers/meshtastic/meshtastic-session-suite.test.ts) and against a real radio (hil-tests/meshtastic.test.ts).
 * Tests that need to make the mesh talk use `sim` and are left out on hardware; tests that transmit on the air run
 * on hardware only when the harness allows it.
 */
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ByteLink } from '../../framing/byte-link.js';
import { MeshtasticSession } from '../session.js';
import type { SimDevice } from '../sim/sim-device.js';
import { waitFor as until } from '../../../lib/testing/wait-for.js';
import { systemClock, type Clock } from '../../../lib/clock/clock.js';

export interface SessionHarness {
  /** Opens a fresh link to the radio. */
  open(): Promise<ByteLink>;
  /** The simulated radio behind the link, when there is one (read when a test runs, after setup hooks). */
  sim?: () => SimDevice;
  /** Whether tests may transmit on the air (always with a simulator; opt-in on hardware). */
  transmit: boolean;
  /** Channel index for transmitted test texts. */
  channel: number;
  handshakeTimeoutMs?: number;
  /** The session's paces (text interval) run on it, its reply deadlines on the system clock: a simulator that
   * reads the same clock lets a skip clock (lib/testing/skip-clock.ts) pass the 2 s rate limit at once. */
  clock?: Clock;
}

export function registerSessionSuite(suite: Test, h: SessionHarness): void {
  const session = async () => {
    const s = new MeshtasticSession({
      link: await h.open(), handshakeTimeoutMs: h.handshakeTimeoutMs ?? 30_000, ...(h.clock ? { clock: h.clock, timeouts: systemClock } : {}),
    });
    await s.start();
    return s;
  };

  suite('handshake: device info, channels, own node in the node DB', async () => {
    const s = await session();
    try {
      const info = s.deviceInfo()!;
      assert.match(info.nodeId, /^![0-9a-f]{8}$/);
      assert.ok(info.firmwareVersion && info.firmwareVersion.length > 0, 'firmware version reported');
      assert.ok(info.channels.some((c) => c.role === 'PRIMARY'), 'a primary channel');
      assert.ok(s.nodes.get(info.myNodeNum), 'own NodeInfo arrived');
      assert.ok(info.hopLimit >= 1 && info.hopLimit <= 7);
    } finally {
      await s.stop();
    }
  });

  suite('heartbeat is answered with a QueueStatus', async () => {
    const s = await session();
    try {
      let maxlen = 0;
      s.on('queueStatus', (q) => (maxlen = q.maxlen));
      await s.heartbeat();
      await until('QueueStatus', () => maxlen > 0, 10_000);
    } finally {
      await s.stop();
    }
  });

  suite('a DM to a node without a known key fails before anything is sent', async () => {
    const s = await session();
    try {
      let unknown = 0x7e57_0001;
      while (s.nodes.get(unknown)?.publicKey) unknown++;
      await s.sendText({ to: unknown, text: 'no key' }).then(
        () => assert.unreachable('must fail'),
        (e: Error) => assert.is(e.name, 'MeshtasticMissingPublicKeyError'),
      );
    } finally {
      await s.stop();
    }
  });

  suite('the session can close and a fresh one handshakes again', async () => {
    const a = await session();
    await a.stop();
    const b = await session();
    try {
      assert.is(b.state, 'ready');
    } finally {
      await b.stop();
    }
  });

  if (h.transmit) {
    suite('two texts back to back: paced, both accepted, none refused by the radio', async () => {
      const s = await session();
      try {
        const stamp = Date.now().toString(36);
        const [a, b] = await Promise.all([
          s.sendText({ to: 'broadcast', channel: h.channel, text: `lattice test ${stamp} 1` }),
          s.sendText({ to: 'broadcast', channel: h.channel, text: `lattice test ${stamp} 2` }),
        ]);
        assert.ok(a.id !== b.id);
        assert.is(s.stats.rateLimitRejected, 0);
        assert.ok(s.stats.rateLimitWaits >= 1);
        if (h.sim) {
          const heard = () => h.sim!().mesh.received.filter((r) => r.text?.startsWith(`lattice test ${stamp}`)).length;
          await until('mesh heard both', () => heard() >= 2);
        }
      } finally {
        await s.stop();
      }
    });
  }

  if (h.sim) {
    suite('a text from the mesh arrives as a message', async () => {
      const s = await session();
      try {
        const got: string[] = [];
        s.on('message', (m) => m.text && got.push(m.text));
        h.sim!().injectText({ from: 0x22222222, channel: 0, text: 'suite hello' });
        await until('message', () => got.includes('suite hello'));
      } finally {
        await s.stop();
      }
    });
  }
}
