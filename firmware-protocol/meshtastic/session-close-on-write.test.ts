/**
 * A link that closes just as the session writes its want_config (a TCP client kicked by another one at that moment):
 * start() must fail with a named error and leave no promise to reject unhandled, which would end the process.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ByteLink } from '../framing/byte-link.js';
import { MeshtasticSession } from './session.js';

function closingLink(): ByteLink {
  const closeListeners = new Set<(err?: Error) => void>();
  let writes = 0;
  let open = true;
  return {
    description: 'test:closing',
    get isOpen() {
      return open;
    },
    onData: () => () => {},
    onClose(l) {
      closeListeners.add(l);
      return () => closeListeners.delete(l);
    },
    async write() {
      writes++;
      if (writes < 2) return; // the wake bytes go out; the want_config meets a closed link
      open = false;
      const err = Object.assign(new Error('closed by the other end'), { name: 'LinkClosedError' });
      for (const l of closeListeners) l(err);
      throw err;
    },
    async close() {
      open = false;
    },
  };
}

test('the link closes on the want_config write: start() rejects, nothing is left unhandled', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const session = new MeshtasticSession({ link: closingLink(), handshakeTimeoutMs: 5000 });
    try {
      await session.start();
      assert.unreachable('started');
    } catch (err) {
      assert.ok(['MeshtasticLinkLostError', 'LinkClosedError'].includes((err as Error).name), (err as Error).name);
    }
    // Unhandled rejections are reported after the microtask queue drains: give it two turns of the loop.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.equal(unhandled.map((e) => (e as Error).name), []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test.run();
