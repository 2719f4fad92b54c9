// The air's protocol over TCP with raw antennas (node:net sockets), on a port the system picks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type Socket } from 'node:net';
import { waitFor } from '../../../lib/testing/wait-for.js';
import { startAirServer, type AirServer } from './air-server.js';

// SF7/500 kHz, short preamble: a few milliseconds a frame.
const FAST = { freqHz: 869525000, bwHz: 500000, sf: 7, cr: 5, syncWord: 43, preamble: 8 };

class RawAntenna {
  readonly lines: Record<string, unknown>[] = [];
  private buf = '';
  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buf += d;
      let nl;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        this.lines.push(JSON.parse(this.buf.slice(0, nl)));
        this.buf = this.buf.slice(nl + 1);
      }
    });
  }
  static async open(port: number): Promise<RawAntenna> {
    const s = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => s.once('connect', resolve).once('error', reject));
    return new RawAntenna(s);
  }
  send(text: string): void {
    this.socket.write(text);
  }
  of(op: string) {
    return this.lines.filter((l) => l.op === op);
  }
  async next(op: string, n = 1) {
    return waitFor(`${n} × ${op}`, () => (this.of(op).length >= n ? this.of(op)[n - 1] : undefined), 5000, 5);
  }
  close(): void {
    this.socket.destroy();
  }
}

async function withAir(fn: (server: AirServer) => Promise<void>) {
  const server = await startAirServer({ host: '127.0.0.1', port: 0 });
  try {
    await fn(server);
  } finally {
    await server.stop();
  }
}

test('three antennas: tuned, txdone with the airtime, rx to the other two on the channel, not to the one on another SF', async () => {
  await withAir(async (server) => {
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => RawAntenna.open(server.port)));
    a.send(`${JSON.stringify({ op: 'tune', ...FAST, x: 0, y: 0 })}\n`);
    b.send(`${JSON.stringify({ op: 'tune', ...FAST, x: 300, y: 400 })}\n`);
    c.send(`${JSON.stringify({ op: 'tune', ...FAST, sf: 8, x: 10, y: 0 })}\n`);
    await Promise.all([a.next('tuned'), b.next('tuned'), c.next('tuned')]);
    a.send('{"op":"tx","data":"cafe"}\n');
    const done = await a.next('txdone');
    // SF7/500 kHz, preamble 8, 2 bytes, CR 4/5, explicit header + CRC: (8 + 4.25 + 8 + 13·... ) Tsym, by the formula.
    assert.ok(typeof done.airtimeMs === 'number' && (done.airtimeMs as number) > 5 && (done.airtimeMs as number) < 20, String(done.airtimeMs));
    const rx = await b.next('rx');
    assert.is(rx.data, 'cafe');
    assert.ok((rx.rssiDbm as number) < -50 && (rx.snrDb as number) > 0, JSON.stringify(rx));
    // c is on SF8: it hears nothing; a never hears itself. The stats answer comes after the txdone and rx above.
    c.send('{"op":"stats"}\n');
    const stats = await c.next('stats');
    assert.equal(stats, { op: 'stats', antennas: 3, frames: 1, deliveries: 1, collisions: 0, halfDuplex: 0, busy: 0, untuned: 0, ignoredLines: 0 });
    assert.equal(c.of('rx'), []);
    assert.equal(a.of('rx'), []);
    for (const x of [a, b, c]) x.close();
  });
});

test('busy while on air; lines in one write handled in order; garbage ignored and counted; untuned hears nothing', async () => {
  await withAir(async (server) => {
    const [a, b, u] = await Promise.all([1, 2, 3].map(() => RawAntenna.open(server.port)));
    b.send(`${JSON.stringify({ op: 'tune', ...FAST, x: 50 })}\n`);
    await b.next('tuned');
    // One write: tune, tx, tx again (busy), garbage of every kind, stats: answered in that order.
    a.send([JSON.stringify({ op: 'tune', ...FAST }), '{"op":"tx","data":"01"}', '{"op":"tx","data":"02"}', '', 'not json', '{"op":"dance"}', '{"op":"tx","data":"0"}', '{"op":"stats"}', ''].join('\n'));
    const stats = await a.next('stats');
    assert.equal(a.lines.slice(0, 3).map((l) => l.op), ['tuned', 'error', 'stats']);
    assert.equal(a.lines[1], { op: 'error', error: 'busy' });
    assert.is(stats.ignoredLines, 4);
    assert.is(stats.busy, 1);
    await a.next('txdone');
    const rx = await b.next('rx');
    assert.is(rx.data, '01');
    // Split across writes, byte by byte, still one line.
    for (const ch of '{"op":"tx","data":"03"}\n') a.send(ch);
    await b.next('rx', 2);
    assert.is(b.of('rx')[1]!.data, '03');
    u.send('{"op":"stats"}\n');
    await u.next('stats');
    assert.equal(u.lines.map((l) => l.op), ['stats'], 'an untuned antenna got no rx');
    for (const x of [a, b, u]) x.close();
  });
});

test('a closed antenna leaves the air; the air goes on for the others', async () => {
  await withAir(async (server) => {
    const [a, b] = await Promise.all([1, 2].map(() => RawAntenna.open(server.port)));
    a.send(`${JSON.stringify({ op: 'tune', ...FAST })}\n`);
    b.send(`${JSON.stringify({ op: 'tune', ...FAST })}\n`);
    await Promise.all([a.next('tuned'), b.next('tuned')]);
    a.close();
    await waitFor('a detached', () => server.stats().antennas === 1, 5000, 5);
    const c = await RawAntenna.open(server.port);
    c.send(`${JSON.stringify({ op: 'tune', ...FAST })}\n{"op":"tx","data":"ff"}\n`);
    assert.is((await b.next('rx')).data, 'ff');
    b.close();
    c.close();
  });
});

test.run();
