/**
 * The LAN servers' header/request-timeout check runs only while a connection is open (issue 12: an idle relay must
 * not wake up once a second per server for it), and still answers a silent connection 408.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:http';
import { connect, type Socket } from 'node:net';
import { waitFor } from '../../lib/testing/wait-for.js';
import { watchTimers } from '../testing/timer-watch.js';
import { close, httpServerOptions, listen } from './http-listener.js';

/** What the server sent before it closed the connection. */
function untilClosed(s: Socket): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    s.on('data', (d) => (got += d));
    s.on('error', () => {});
    s.once('close', () => resolve(got));
  });
}

test('an idle server holds no timer; an open connection arms the timeout check until it closes, and a silent one hears 408', async () => {
  // Node's own check timer (node:_http_server) and ours (http-listener.ts).
  const timers = watchTimers(/node:_http_server|[/\\]http-listener\.[jt]s:/);
  const server = createServer(httpServerOptions({ headersMs: 300, keepAliveMs: 300, checkIntervalMs: 50 }), (_req, res) => res.end('ok'));
  const { port } = await listen(server, 'test server', '127.0.0.1', 0);
  try {
    await waitFor('idle: no timer armed', () => timers.armed() === 0);
    const silent = connect({ host: '127.0.0.1', port });
    const answer = untilClosed(silent);
    await waitFor('the check armed while a connection is open', () => timers.armed() === 1);
    assert.match(await answer, /^HTTP\/1\.1 408 /);
    await waitFor('idle again: no timer armed', () => timers.armed() === 0);

    // Requests are served as before; a keep-alive connection arms the check while it stays open.
    const res = await fetch(`http://127.0.0.1:${port}/`);
    assert.is(await res.text(), 'ok');
    const again = connect({ host: '127.0.0.1', port });
    const second = untilClosed(again);
    assert.match(await second, /^HTTP\/1\.1 408 /);
    await waitFor('idle at the end: no timer armed', () => timers.armed() === 0);
  } finally {
    await close(server);
    timers.stop();
  }
});

test.run();
