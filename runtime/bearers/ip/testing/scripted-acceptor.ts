/**
 * A hand-driven TCP acceptor for tests: it completes the acceptor's side of the handshake (tcp-handshake.ts) with
 * its own identity, then collects the BUNDLE frames a connector writes and answers only what the test tells it to
 * (ACKs in any order, malformed ACKs, nothing at all like a frozen relay whose kernel still takes the bytes, or a
 * closed connection). Pair it with a ScriptedPeer of the same identity for the UDP side. Test support only.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { Identity } from '../../../identity/identity.js';
import { decodeBundlePayload, encodeAcks, type Ack } from '../ack-codec.js';
import { StreamDecoder, encodeStreamFrame } from '../stream-codec.js';
import { HANDSHAKE_NONCE_BYTES, decodeHello, encodeChallenge, transcript } from '../tcp-handshake.js';

export interface ReceivedBundle {
  seq: number;
  frame: Uint8Array;
}

export class ScriptedAcceptor {
  readonly bundles: ReceivedBundle[] = [];
  /** Stream frame types seen after the handshake, in order. */
  readonly types: string[] = [];
  private server?: Server;
  private socket?: Socket;
  port = 0;

  constructor(readonly identity: Identity) {}

  async start(): Promise<void> {
    const server = createServer((s) => this.accept(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** True once a connector finished the handshake. */
  get connected(): boolean {
    return this.socket !== undefined && !this.socket.destroyed;
  }

  ack(acks: Ack[]): void {
    this.write(encodeStreamFrame('ack', encodeAcks(acks)));
  }

  write(bytes: Uint8Array): void {
    this.socket?.write(bytes);
  }

  /** Closes the connection (the connector's waiting sends must resolve 'closed'). */
  drop(): void {
    this.socket?.destroy();
  }

  async stop(): Promise<void> {
    this.socket?.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    socket.on('error', () => {});
    const decoder = new StreamDecoder(70_000);
    let open = false;
    socket.on('data', (chunk: Buffer) => {
      for (const f of decoder.push(chunk)) {
        if (f.type === 'hello') {
          const h = decodeHello(f.payload);
          const t = { connectorNonce: h.nonce, acceptorNonce: new Uint8Array(randomBytes(HANDSHAKE_NONCE_BYTES)), connectorId: h.nodeId, acceptorId: this.identity.nodeId };
          socket.write(encodeStreamFrame('challenge', encodeChallenge(this.identity.nodeId, t.acceptorNonce, this.identity.sign(transcript('acceptor', t)))));
        } else if (f.type === 'auth') {
          open = true; // the connector's signature is not checked: this side only plays the acceptor
          this.socket = socket;
        } else if (open) {
          this.types.push(f.type);
          if (f.type === 'bundle') this.bundles.push(decodeBundlePayload(f.payload));
        }
      }
    });
  }
}
