/** How a TCP link says it ended: a clean close by the radio (FIN) is told apart from a reset and from our close. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server, type Socket } from 'node:net';
import { TcpLink } from './tcp-link.js';

async function withServer(fn: (port: number, accepted: Promise<Socket>) => Promise<void>): Promise<void> {
  let onSocket!: (s: Socket) => void;
  const accepted = new Promise<Socket>((r) => (onSocket = r));
  const sockets: Socket[] = [];
  const server: Server = createServer((s) => {
    s.on('error', () => {});
    sockets.push(s);
    onSocket(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    await fn((server.address() as { port: number }).port, accepted);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

const closeOf = (link: TcpLink) => new Promise<Error | undefined>((r) => link.onClose(r));

test('the radio closes cleanly (FIN): LinkClosedByRemoteError', () =>
  withServer(async (port, accepted) => {
    const link = await TcpLink.open({ host: '127.0.0.1', port });
    const closed = closeOf(link);
    (await accepted).end();
    const err = await closed;
    assert.is(err?.name, 'LinkClosedByRemoteError');
    assert.match(err!.message, /127\.0\.0\.1:\d+ closed the connection/);
  }));

test('the connection is reset (RST): not a clean close', () =>
  withServer(async (port, accepted) => {
    const link = await TcpLink.open({ host: '127.0.0.1', port });
    const closed = closeOf(link);
    (await accepted).resetAndDestroy();
    const err = await closed;
    assert.ok(err);
    assert.is.not(err!.name, 'LinkClosedByRemoteError');
  }));

test('our own close reports no error', () =>
  withServer(async (port) => {
    const link = await TcpLink.open({ host: '127.0.0.1', port });
    const closed = closeOf(link);
    await link.close();
    assert.is(await closed, undefined);
  }));

test.run();
