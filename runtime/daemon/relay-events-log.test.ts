/** The relay's event log: an inbox line names who wrote the text — the foreign sender's name, else its address. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger, setLogSink } from '../log/logger.js';
import type { LogRecord } from '../log/log-record.js';
import { Network, waitFor } from '../router/testing/relay-fixture.js';
import { logRouterEvents } from './relay-events-log.js';

test('delivered to inbox: a foreign text is logged from its name, or its foreign address when it has none (not the relay)', async () => {
  const net = new Network();
  const lines: LogRecord[] = [];
  const restore = setLogSink((r) => lines.push(r), 'info');
  try {
    const g = await net.relay('g', { bearers: [{ name: 'meshtastic0', foreign: ['mt:'] }] });
    const off = logRouterEvents(g.router, createLogger('relay'));
    g.bearers[0]!.injectForeign({ from: 'mt:!a1b2c3d4', fromName: 'Hiker', to: 'mt:ch:0', direct: false, text: 'named', packetId: 1, receivedAt: Date.now() });
    g.bearers[0]!.injectForeign({ from: 'mt:!0badcafe', to: 'mt:ch:0', direct: false, text: 'unnamed', packetId: 2, receivedAt: Date.now() });
    const inbox = () => lines.filter((l) => l.message === 'delivered to inbox');
    await waitFor('both in the inbox log', () => inbox().length === 2);
    const from = Object.fromEntries(inbox().map((l) => [String(l.fields?.text), l.fields?.from]));
    assert.is(from.named, 'Hiker');
    assert.is(from.unnamed, 'mt:!0badcafe');
    off();
  } finally {
    restore();
    await net.close();
  }
});

test.run();
