/**
 * A hand-driven IP peer for tests: a raw UDP socket with its own identity that speaks the datagram protocol one
 * message at a time, so tests can send forged, replayed or malformed adverts and frames from a known address,
 * and answer heartbeats (or not) on purpose. Test support only.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import type { Identity } from '../../../identity/identity.js';
import { signAdvert, type Advert } from '../advert.js';
import { decodeDatagram, encodeDatagram, type Capabilities, type Datagram } from '../datagram-codec.js';
import type { DomainKey } from '../domain-key.js';

export interface Received {
  datagram?: Datagram;
  raw: Uint8Array;
  host: string;
  port: number;
}

export class ScriptedPeer {
  readonly received: Received[] = [];
  /** Answer PING and HELLO with PONG, like a live relay. */
  answerHeartbeats = true;
  private socket?: Socket;
  port = 0;
  /** The address it is bound to (a loopback 127.x.y.z stands for another host). */
  host = '127.0.0.1';
  /** A domain key: datagrams go out sealed with it and come in opened with it (domain-key.ts). */
  domain?: DomainKey;

  constructor(readonly identity: Identity) {}

  async start(host = '127.0.0.1'): Promise<void> {
    const socket = createSocket('udp4');
    this.host = host;
    await new Promise<void>((resolve) => socket.bind(0, host, resolve));
    this.port = socket.address().port;
    socket.on('message', (msg, rinfo) => {
      let datagram: Datagram | undefined;
      try {
        const inner = this.domain ? this.domain.open(msg) : msg;
        datagram = typeof inner === 'string' ? undefined : decodeDatagram(inner);
      } catch {
        datagram = undefined;
      }
      this.received.push({ datagram, raw: msg, host: rinfo.address, port: rinfo.port });
      if (!this.answerHeartbeats || !datagram) return;
      if (datagram.type === 'ping') this.send(encodeDatagram({ type: 'pong', nodeId: this.identity.nodeId, echo: datagram.nonce }), rinfo.port);
      if (datagram.type === 'hello') this.send(encodeDatagram({ type: 'pong', nodeId: this.identity.nodeId, echo: datagram.nonce }), rinfo.port);
    });
    this.socket = socket;
  }

  /** An advert of this peer naming its real address and port (override any field to forge one). */
  advert(fields: Partial<{ issuedAt: number; udpPort: number; tcpPort: number; addresses: string[] }> = {}): Advert {
    return signAdvert(this.identity, {
      issuedAt: fields.issuedAt ?? Date.now(),
      udpPort: fields.udpPort ?? this.port,
      tcpPort: fields.tcpPort ?? this.port,
      addresses: fields.addresses ?? [this.host],
    });
  }

  hello(advert: Advert, wantReply = false, capabilities: Partial<Capabilities> = {}): Uint8Array {
    return encodeDatagram({
      type: 'hello',
      wantReply,
      nonce: new Uint8Array(randomBytes(8)),
      capabilities: { version: 'test', maxFrameBytes: 70_000, bearers: ['ip'], ...capabilities },
      advert,
    });
  }

  send(bytes: Uint8Array, port: number, host = '127.0.0.1'): Promise<void> {
    const wire = this.domain ? this.domain.seal(bytes) : bytes;
    return new Promise((resolve, reject) => this.socket!.send(wire, port, host, (err) => (err ? reject(err) : resolve())));
  }

  async stop(): Promise<void> {
    const s = this.socket;
    this.socket = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
