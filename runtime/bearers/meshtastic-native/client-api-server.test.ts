/**
 * The client API's TCP transport: several clients at once, each with its own session; a misbehaving client (garbage,
 * a stalled frame, too many clients) loses its own connection and nobody else's, and each drop is counted.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type Socket } from 'node:net';
import { encodeStreamFrame, MeshtasticStreamDecoder } from '../../../firmware-protocol/framing/meshtastic-stream.js';
import { decodeFromRadio, decodeToRadio, encodeFromRadio, heartbeatToRadio, wantConfigToRadio } from '../../../firmware-protocol/meshtastic/messages.js';
import { waitFor } from '../../../lib/testing/wait-for.js';
import { createLogger } from '../../log/logger.js';
import { ClientApiServer, type ClientDropReason, type ClientSink } from './client-api-server.js';

/** A device side that answers want_config with config_complete_id and can broadcast to every session. */
const frame = (fromRadio: Uint8Array) => encodeStreamFrame(fromRadio);

class FakeDevice {
  readonly sinks = new Set<ClientSink>();
  closed = 0;
  attach(sink: ClientSink) {
    this.sinks.add(sink);
    return {
      toRadio: (payload: Uint8Array) => {
        let msg;
        try {
          msg = decodeToRadio(payload);
        } catch {
          return false;
        }
        if (msg.payloadVariant.case === 'wantConfigId') sink.write(frame(encodeFromRadio({ payloadVariant: { case: 'configCompleteId', value: msg.payloadVariant.value } })));
        if (msg.payloadVariant.case === 'disconnect') sink.close();
        return true;
      },
      close: () => {
        this.closed++;
        this.sinks.delete(sink);
      },
    };
  }
  broadcast(id: number): void {
    for (const s of this.sinks) s.write(frame(encodeFromRadio({ id, payloadVariant: { case: 'rebooted', value: false } })));
  }
}

class Client {
  readonly frames: ReturnType<typeof decodeFromRadio>[] = [];
  closed = false;
  private readonly decoder = new MeshtasticStreamDecoder();
  private constructor(readonly socket: Socket) {
    socket.on('data', (c) => {
      for (const e of this.decoder.push(new Uint8Array(c))) if (e.type === 'frame') this.frames.push(decodeFromRadio(e.payload));
    });
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }
  static async open(port: number): Promise<Client> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((r, j) => socket.once('connect', r).once('error', j));
    return new Client(socket);
  }
  send(payload: Uint8Array): void {
    this.socket.write(encodeStreamFrame(payload));
  }
}

async function withServer(fn: (s: { server: ClientApiServer; device: FakeDevice; drops: ClientDropReason[] }) => Promise<void>, options: { stallMs?: number; maxClients?: number } = {}) {
  const device = new FakeDevice();
  const drops: ClientDropReason[] = [];
  const server = new ClientApiServer({ bearer: 'mt0', host: '127.0.0.1', port: 0, device, log: createLogger('test'), ...options, observer: { dropped: (r) => drops.push(r) } });
  await server.start();
  try {
    await fn({ server, device, drops });
  } finally {
    await server.stop();
  }
}

test('two clients at once: each gets the answer to its own handshake, both get what the device sends everyone', async () => {
  await withServer(async ({ server, device }) => {
    // The Python CLI's wake-up preamble (32 × 0xC3) before the first frame is tolerated.
    const a = await Client.open(server.port);
    const b = await Client.open(server.port);
    a.socket.write(new Uint8Array(32).fill(0xc3));
    a.send(wantConfigToRadio(111));
    b.send(wantConfigToRadio(222));
    await waitFor('both handshakes answered', () => a.frames.length === 1 && b.frames.length === 1);
    assert.equal(a.frames.map((f) => f.payloadVariant.value), [111]);
    assert.equal(b.frames.map((f) => f.payloadVariant.value), [222]);
    assert.is(server.clients, 2);
    device.broadcast(7);
    await waitFor('both clients got the broadcast', () => a.frames.length === 2 && b.frames.length === 2);
    assert.is(a.frames[1]!.id, 7);
    assert.is(b.frames[1]!.id, 7);
    a.socket.end();
    await waitFor('a is forgotten', () => server.clients === 1 && device.closed === 1);
    b.socket.end();
  });
});

test('a client sending garbage or stalling mid-frame loses its connection, the other keeps its own', async () => {
  await withServer(async ({ server, device, drops }) => {
    const good = await Client.open(server.port);
    const noisy = await Client.open(server.port);
    const stuck = await Client.open(server.port);
    const bad = await Client.open(server.port);
    const huge = await Client.open(server.port);
    good.send(wantConfigToRadio(1));
    await waitFor('good is up', () => good.frames.length === 1);
    noisy.socket.write(Buffer.alloc(300, 'x'));
    stuck.socket.write(Uint8Array.of(0x94, 0xc3, 0x00, 0x20, 1, 2, 3));
    bad.send(Uint8Array.of(0xff, 0xff, 0xff));
    huge.socket.write(Uint8Array.of(0x94, 0xc3, 0x7f, 0xff));
    await waitFor('the four are dropped', () => noisy.closed && stuck.closed && bad.closed && huge.closed);
    assert.equal([...drops].sort(), ['garbage', 'garbage', 'garbage', 'stalled']);
    assert.is(server.clients, 1);
    good.send(heartbeatToRadio());
    good.send(wantConfigToRadio(2));
    device.broadcast(9);
    await waitFor('good still served', () => good.frames.length === 3);
    assert.not.ok(good.closed);
    good.socket.end();
  }, { stallMs: 200 });
});

test('more clients than allowed: the newcomer is refused and counted, nobody is kicked', async () => {
  await withServer(async ({ server, drops }) => {
    const a = await Client.open(server.port);
    const b = await Client.open(server.port);
    await waitFor('two connected', () => server.clients === 2);
    const c = await Client.open(server.port);
    await waitFor('the third is refused', () => c.closed);
    assert.equal(drops, ['too-many']);
    a.send(wantConfigToRadio(5));
    await waitFor('a still served', () => a.frames.length === 1);
    assert.not.ok(a.closed || b.closed);
    a.socket.end();
    b.socket.end();
  }, { maxClients: 2 });
});

test('a port already in use is a named error', async () => {
  await withServer(async ({ server }) => {
    const other = new ClientApiServer({ bearer: 'mt1', host: '127.0.0.1', port: server.port, device: new FakeDevice(), log: createLogger('test') });
    try {
      await other.start();
      assert.unreachable('expected ClientApiListenError');
    } catch (err) {
      assert.is((err as Error).name, 'ClientApiListenError');
    }
  });
});

test.run();
