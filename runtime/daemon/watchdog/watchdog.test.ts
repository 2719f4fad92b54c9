/**
 * The whole-relay watchdog: the event-loop monitor behind GET /health, the systemd notify protocol of a real
 * `lattice run` (READY=1, WATCHDOG=1 pings, STOPPING=1, received on a unix datagram socket like systemd's), and the
 * image's HEALTHCHECK command failing while the relay's event loop is stopped (SIGSTOP) and passing again after.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LoopMonitor } from './loop-monitor.js';
import { SdNotify } from './sd-notify.js';
import { RelayProcess, eventually } from '../testing/relay-process.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
let tmp = '';
const cleanups: Array<() => unknown> = [];

test.before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'lattice-watchdog-'));
});
test.after(async () => {
  for (const c of cleanups.reverse()) await c();
  rmSync(tmp, { recursive: true, force: true });
});

test('loop monitor: a late heartbeat is a stall, reported until the window passed; no heartbeat at all is a stall', () => {
  let now = 0;
  const stalls: number[] = [];
  const m = new LoopMonitor({ intervalMs: 1000, stallMs: 5000, windowMs: 30_000, now: () => now, onStall: (l) => stalls.push(l) });
  m.start();
  m.stop(); // driven by hand below
  for (let i = 0; i < 5; i++) {
    now += 1000;
    m.beat();
  }
  assert.is(m.health().ok, true);
  now += 9000; // the loop was blocked 8 s
  assert.is(m.health().ok, false, 'blocked now: no heartbeat for 9 s');
  m.beat();
  assert.equal(stalls, [8000]);
  assert.equal(m.health(), { ok: false, lastTickAgoMs: 0, maxLagMs: 8000, stallMs: 5000 });
  for (let i = 0; i < 29; i++) {
    now += 1000;
    m.beat();
  }
  assert.is(m.health().ok, false, 'still within the window');
  now += 1000;
  m.beat();
  assert.is(m.health().ok, true);
});

test('sd-notify reads NOTIFY_SOCKET and WATCHDOG_USEC (half the period), ignores a WATCHDOG_PID of another process', () => {
  assert.is(new SdNotify({ env: {} }).enabled, false);
  const n = new SdNotify({ env: { NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '30000000' } });
  assert.is(n.enabled, true);
  assert.is(n.watchdogIntervalMs, 15_000);
  assert.is(new SdNotify({ env: { NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '30000000', WATCHDOG_PID: String(process.pid + 1) } }).watchdogIntervalMs, undefined);
});

/** A unix datagram receiver like systemd's notify socket (python3: node has no unix datagram sockets). It answers
 * BARRIER=1 the way systemd does, by closing the file descriptor that came with it. */
function notifySocket(path: string): { lines: string[]; child: ChildProcess } {
  const py = `
import socket, os, sys, array
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print('LISTENING', flush=True)
while True:
    msg, anc, flags, addr = s.recvmsg(4096, socket.CMSG_SPACE(64))
    for level, typ, data in anc:
        if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
            fds = array.array('i'); fds.frombytes(data[:len(data) - len(data) % 4])
            for fd in fds: os.close(fd)
    print(msg.decode().replace('\\n', ' '), flush=True)
`;
  const child = spawn('python3', ['-c', py, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  });
  cleanups.push(() => child.kill('SIGKILL'));
  return { lines, child };
}

/** The HEALTHCHECK command of images/Dockerfile.template, run as Docker would. */
function healthcheck(api: string): Promise<number> {
  const df = readFileSync(join(root, 'images/Dockerfile.template'), 'utf8');
  const m = /^HEALTHCHECK[^\n]*\\\n\s+CMD\s+(\[.*\])\s*$/m.exec(df);
  assert.ok(m, 'HEALTHCHECK in exec form');
  const argv = JSON.parse(m![1]!) as string[];
  return new Promise((res) => {
    execFile(argv[0]!, argv.slice(1), { env: { ...process.env, LATTICE_API: api }, timeout: 30_000 }, (err) => res(err ? ((err as { code?: number }).code ?? 1) : 0));
  });
}

test('lattice run under a notify socket: READY=1, WATCHDOG=1 pings, STOPPING=1; HEALTHCHECK fails while the loop is stopped', async () => {
  const sock = join(tmp, 'notify.sock');
  const notify = notifySocket(sock);
  await eventually('the notify socket', () => notify.lines.includes('LISTENING'));
  const relay = new RelayProcess({ dataDir: join(tmp, 'relay'), env: { NOTIFY_SOCKET: sock, WATCHDOG_USEC: '2000000' } });
  cleanups.push(() => relay.kill());
  await relay.start();
  const pid = relay.child!.pid!;
  await eventually('READY=1', () => notify.lines.some((l) => /READY=1/.test(l) && l.includes(`MAINPID=${pid}`)));
  const pings = () => notify.lines.filter((l) => l.includes('WATCHDOG=1')).length;
  await eventually('two watchdog pings', () => pings() >= 2);
  const api = `127.0.0.1:${relay.apiPort}`;
  assert.is(await healthcheck(api), 0, 'healthy relay');

  process.kill(pid, 'SIGSTOP'); // the event loop stops (as a wedged loop would)
  try {
    assert.not.equal(await healthcheck(api), 0, 'a stopped loop fails the healthcheck');
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  const before = pings();
  await eventually('pings again after the stall', () => pings() > before);
  await eventually('healthy again', async () => (await healthcheck(api)) === 0);
  assert.is(await relay.stop(), 0);
  await eventually('STOPPING=1', () => notify.lines.some((l) => l.includes('STOPPING=1')));
});

test.run();
