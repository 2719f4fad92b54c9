// Five relays as five OS processes (runtime/shards/testing/shard-relay-process.ts) talking shard RPC over TCP on
// loopback: a file put on one is read from another, two processes are killed (SIGKILL), the file still reads, the
// origin repairs onto the three left, and then reads survive a third relay stopping.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SHARD_PAYLOAD_BYTES } from './shard-format.js';

// test-runner: dist-safe. Compiled, the relay script is the .js beside this file in dist/ and starts as plain node;
// from source it runs through tsx (which costs each of the five starts ~0.5 s of CPU more).
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const SCRIPT = fileURLToPath(new URL(`./testing/shard-relay-process.${FROM_SOURCE ? 'ts' : 'js'}`, import.meta.url));
const CHUNK = 3 * DEFAULT_SHARD_PAYLOAD_BYTES;

class Relay {
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  port = 0;
  readonly ready: Promise<void>;

  constructor(readonly id: string, readonly child: ChildProcess) {
    this.ready = new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`${id} exited early (${code})`)));
      child.on('message', (m: { ready?: boolean; port?: number; seq?: number; ok?: boolean; value?: unknown; error?: string }) => {
        if (m.ready) { this.port = m.port!; resolve(); return; }
        const w = this.waiting.get(m.seq!);
        if (!w) return;
        this.waiting.delete(m.seq!);
        if (m.ok) w.resolve(m.value);
        else w.reject(Object.assign(new Error(m.error), { name: m.error?.split(':')[0] ?? 'Error' }));
      });
    });
    this.ready.catch(() => {});
  }

  call<T>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    const seq = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.id}: no answer to ${cmd} within 30 s`)), 30_000);
      this.waiting.set(seq, { resolve: (v) => { clearTimeout(timer); resolve(v as T); }, reject: (e) => { clearTimeout(timer); reject(e); } });
      this.child.send({ seq, cmd, ...args });
    });
  }

  kill(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.kill('SIGKILL');
    });
  }
}

test('five relay processes over loopback TCP: two killed, file still reads, repaired, survives a third loss', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lattice-shard-procs-'));
  const relays: Relay[] = [];
  try {
    for (let i = 0; i < 5; i++) {
      const id = `relay-${i}`;
      const child = fork(SCRIPT, [id, dir, '500'], { execArgv: FROM_SOURCE ? ['--import', 'tsx'] : [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      relays.push(new Relay(id, child));
    }
    await Promise.all(relays.map((r) => r.ready));
    const directory = relays.map((r) => ({ id: r.id, host: '127.0.0.1', port: r.port }));
    for (const r of relays) await r.call('peers', { peers: directory });
    for (const r of relays) {
      const online = await r.call<string[]>('peers', { peers: [] });
      assert.is(online.length, 4, `${r.id} sees the other four`);
    }

    const data = randomBytes(6 * CHUNK + 321);
    await writeFile(join(dir, 'in'), data);
    const put = await relays[0]!.call<{ id: string; holders: string[] }>('put', { path: join(dir, 'in') });
    assert.is(put.holders.length, 5, 'shards on five distinct processes');
    await relays[2]!.call('get', { id: put.id, out: join(dir, 'o1') });
    assert.equal(await readFile(join(dir, 'o1')), data);

    await relays[3]!.kill();
    await relays[4]!.kill();
    // Wait (bounded) until the survivors notice and the 500 ms offline grace has run out.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const s = await relays[0]!.call<{ online: string[] }>('status');
      if (s.online.length === 2) break;
      if (Date.now() > deadline) assert.unreachable(`relay-0 still sees ${s.online}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 700));

    await relays[1]!.call('get', { id: put.id, out: join(dir, 'o2') });
    assert.equal(await readFile(join(dir, 'o2')), data, 'readable with two relays dead');
    const repaired = await relays[0]!.call<number>('repair');
    assert.is(repaired, 2 * 7, 'two shards of each of the 7 chunks rebuilt');
    const status = await relays[0]!.call<{ repairs: number }>('status');
    assert.is(status.repairs, 14);

    await relays[2]!.call('stop');
    await new Promise((r) => setTimeout(r, 200));
    await relays[0]!.call('peers', { peers: [] });
    await relays[1]!.call('get', { id: put.id, out: join(dir, 'o3') });
    assert.equal(await readFile(join(dir, 'o3')), data, 'readable after repair with only two relays left');
  } finally {
    await Promise.all(relays.map((r) => r.kill()));
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
