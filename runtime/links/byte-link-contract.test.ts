/**
 * The ByteLink contract suite (firmware-protocol/framing/testing/byte-link-suite.ts) on the OS links: the serial
 * link over a real PTY pair (socat; the far end opens the other side like a radio would) and the TCP link to a
 * local server. The in-memory link runs the same suite in firmware-protocol/framing/memory-link.test.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { openSerialLink } from '../../drivers/serial/serial-link.js';
import { byteLinkSuite } from '../../firmware-protocol/framing/testing/byte-link-suite.js';
import { openPtyPair } from '../../firmware-protocol/meshcore/sim/pty-pair.js';
import { openTcpLink } from './tcp-link.js';

function collector() {
  const chunks: Buffer[] = [];
  let total = 0;
  return {
    push(b: Buffer) {
      chunks.push(b);
      total += b.length;
    },
    received: () => new Uint8Array(Buffer.concat(chunks, total)),
  };
}

byteLinkSuite('serial link on a PTY pair', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'byte-link-'));
  const pty = await openPtyPair(join(dir, 'radio'), join(dir, 'host'));
  const radio = new SerialPort({ path: pty.radioPath, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => radio.open((err) => (err ? reject(err) : resolve())));
  const got = collector();
  radio.on('data', (b: Buffer) => got.push(b));
  // Once socat is gone the radio side errors too; nothing to report there.
  radio.on('error', () => undefined);
  const link = await openSerialLink({ path: pty.hostPath });
  return {
    link,
    far: {
      write: (bytes) => new Promise<void>((resolve, reject) => {
        radio.write(Buffer.from(bytes), (err) => (err ? reject(err) : radio.drain((e) => (e ? reject(e) : resolve()))));
      }),
      received: got.received,
      // Killing socat pulls both ends, as a USB radio being unplugged.
      drop: () => pty.close(),
    },
    async close() {
      if (radio.isOpen) await new Promise<void>((resolve) => radio.close(() => resolve()));
      await pty.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}).run();

byteLinkSuite('TCP link', async () => {
  const got = collector();
  let socket: Socket | undefined;
  const server = createServer((s) => {
    socket = s;
    s.on('data', (b) => got.push(b));
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const link = await openTcpLink({ host: '127.0.0.1', port });
  const deadline = Date.now() + 5000;
  while (!socket && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  return {
    link,
    far: {
      write: (bytes) => new Promise<void>((resolve, reject) => socket!.write(bytes, (err) => (err ? reject(err) : resolve()))),
      received: got.received,
      drop: () => void socket!.destroy(),
    },
    close: () => new Promise<void>((resolve) => {
      socket?.destroy();
      server.close(() => resolve());
    }),
  };
}).run();
