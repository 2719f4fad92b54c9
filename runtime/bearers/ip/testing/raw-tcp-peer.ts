/**
 * A hand-driven TCP client of the IP bearer for tests: dials, runs the connector's side of the handshake
 * (tcp-handshake.ts) with its own identity, then lets a test write raw stream frames: partial shard messages,
 * oversize headers, silence. Test support only.
 */
import { randomBytes } from 'node:crypto';
import { connect, createServer, type Socket } from 'node:net';
import type { Identity } from '../../../identity/identity.js';
import type { DomainKey } from '../domain-key.js';
import { StreamDecoder, encodeStreamFrame } from '../stream-codec.js';
import { HANDSHAKE_NONCE_BYTES, decodeChallenge, decodeHello, encodeChallenge, encodeHello, transcript } from '../tcp-handshake.js';

export interface RawTcpOptions {
  host?: string;
  /** Source address (loopback 127.0.0.x stands for another host). */
  localAddress?: string;
  /** Sign the HELLO with this domain key; `tag` overrides the tag (a wrong key, garbage). */
  domain?: DomainKey;
  tag?: Uint8Array;
  timeoutMs?: number;
}

/** Connects and writes the HELLO; resolves once the acceptor answered with its CHALLENGE and AUTH went out. Rejects
 * when the acceptor closes the connection instead (it refused us). */
export function openAuthenticated(identity: Identity, port: number, o: RawTcpOptions = {}): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: o.host ?? '127.0.0.1', port, localAddress: o.localAddress });
    const nonce = new Uint8Array(randomBytes(HANDSHAKE_NONCE_BYTES));
    const decoder = new StreamDecoder(1024);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no CHALLENGE in time'));
    }, o.timeoutMs ?? 5000);
    socket.on('error', () => {});
    socket.once('close', () => {
      clearTimeout(timer);
      reject(new Error('acceptor closed the connection'));
    });
    socket.on('connect', () => {
      const tag = o.tag ?? o.domain?.helloTag(identity.nodeId, nonce);
      socket.write(encodeStreamFrame('hello', encodeHello(identity.nodeId, nonce, tag)));
    });
    const onData = (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        if (frame.type !== 'challenge') continue;
        const c = decodeChallenge(frame.payload);
        const t = { connectorNonce: nonce, acceptorNonce: c.nonce, connectorId: identity.nodeId, acceptorId: c.nodeId };
        socket.write(encodeStreamFrame('auth', identity.sign(transcript('connector', t))));
        clearTimeout(timer);
        socket.removeListener('data', onData);
        socket.removeAllListeners('close');
        resolve(socket);
      }
    };
    socket.on('data', onData);
  });
}

/** `n` bytes of a shard message, as SHARD frames of 16 KiB none of which is marked last: a message never finished. */
export function unfinishedShardMessage(n: number, fragmentBytes = 16 * 1024): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let off = 0; off < n; off += fragmentBytes) {
    const f = new Uint8Array(1 + Math.min(fragmentBytes, n - off));
    f.fill(0xab, 1);
    frames.push(encodeStreamFrame('shard', f));
  }
  return frames;
}

/** Writes frames, waiting for the socket to drain when it asks; resolves false when the socket closed meanwhile. */
export async function writeAll(socket: Socket, frames: Uint8Array[]): Promise<boolean> {
  for (const f of frames) {
    if (socket.destroyed) return false;
    if (!socket.write(f)) {
      const ok = await new Promise<boolean>((resolve) => {
        const done = (v: boolean) => {
          socket.removeListener('drain', onDrain);
          socket.removeListener('close', onClose);
          resolve(v);
        };
        const onDrain = () => done(true);
        const onClose = () => done(false);
        socket.once('drain', onDrain);
        socket.once('close', onClose);
      });
      if (!ok) return false;
    }
  }
  return !socket.destroyed;
}

/**
 * A TCP acceptor with `identity` that answers the handshake (CHALLENGE, signed) and then never reads again: a peer
 * that asks for shard answers and leaves them in our send queue.
 */
export async function stalledAcceptor(identity: Identity): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    const decoder = new StreamDecoder(1024);
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        if (frame.type === 'hello') {
          const h = decodeHello(frame.payload);
          const nonce = new Uint8Array(randomBytes(HANDSHAKE_NONCE_BYTES));
          const t = { connectorNonce: h.nonce, acceptorNonce: nonce, connectorId: h.nodeId, acceptorId: identity.nodeId };
          socket.write(encodeStreamFrame('challenge', encodeChallenge(identity.nodeId, nonce, identity.sign(transcript('acceptor', t)))));
        } else if (frame.type === 'auth') {
          socket.pause();
          return;
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
