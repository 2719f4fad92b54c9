/**
 * Test support: runs `lattice run` as a real child process (the compiled bin, as a user would) on loopback ports
 * and talks to it over its HTTP API. Used by the power-cut and multi-process tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { Agent, request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { waitFor } from '../../../lib/testing/wait-for.js';

/**
 * The CLI under test: the checkout's bin (it runs dist/), or another build named by LATTICE_TEST_BIN. Found from
 * source (runtime/daemon/testing/) and compiled (dist/runtime/daemon/testing/) alike, so that the tests using this
 * run compiled (test-runner: dist-safe), without tsx's ~0.3 s of CPU per test process.
 */
export const BIN = process.env.LATTICE_TEST_BIN ?? checkoutBin();

function checkoutBin(): string {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  return join(basename(root) === 'dist' ? join(root, '..') : root, 'bin', 'lattice.js');
}

/**
 * A port free for both TCP and UDP on 127.0.0.1 right now (the IP bearer binds both on one number), picked below the
 * kernel's ephemeral range (ip_local_port_range, 32768-60999 on Linux): a port the kernel hands out for listen(0)
 * can be given to another process's outgoing connection before the relay (re)binds it — a relay restarted on the
 * same ports then failed with EADDRINUSE under a loaded parallel run.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    // A port handed out earlier is usually not bound yet (its relay is still starting), so the probe below would
    // find it free again: two relays of one test were given the same port and the second died with EADDRINUSE.
    if (handedOut.has(port)) continue;
    // Test files run three at a time, each handing out ports for relays that bind them later: reserve the port
    // across processes too (one file per port, owned by a live process), or two files pick the same one.
    if (!reserve(port)) continue;
    const tcpFree = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (!tcpFree) continue;
    const udpFree = await new Promise<boolean>((resolve) => {
      const u = createSocket('udp4');
      u.once('error', () => resolve(false));
      u.bind(port, '127.0.0.1', () => u.close(() => resolve(true)));
    });
    if (udpFree) {
      handedOut.add(port);
      return port;
    }
  }
}

/**
 * Connections to the relays' APIs, kept open between requests. An idle one closes after 2 s, before the API's 5 s
 * keep-alive timeout, so a request never goes out on a connection the relay is closing; the sockets of a relay that
 * died close with it.
 */
const agent = new Agent({ keepAlive: true, timeout: 2_000 });

/** Every port freePort returned in this process (a test process hands out tens, out of 12,000). */
const handedOut = new Set<number>();

const RESERVED_DIR = join(tmpdir(), 'lattice-test-ports');
const reservedHere: string[] = [];

/** Takes `port` for this process unless a live process holds it; released when this process exits. */
function reserve(port: number): boolean {
  mkdirSync(RESERVED_DIR, { recursive: true });
  const file = join(RESERVED_DIR, String(port));
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
  } catch {
    const holder = Number(readFileSync(file, 'utf8').trim() || 0);
    if (holder > 0 && holder !== process.pid && alive(holder)) return false;
    writeFileSync(file, String(process.pid)); // left by a process that died: take it
  }
  if (reservedHere.length === 0) process.once('exit', () => { for (const f of reservedHere) rmSync(f, { force: true }); });
  reservedHere.push(file);
  return true;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface RelayProcessOptions {
  dataDir: string;
  ipPeers?: number[];
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
  /** Run the simulated default (no --no-sim; give no bearer flags, they turn it off). Default false. */
  sim?: boolean;
  /** Wraps the command line (`[node, bin, …]`), e.g. to run it in another mount namespace or under prlimit. */
  wrap?: (argv: string[]) => string[];
  /** How long start waits for the API before it kills the process and fails (default 30 s). */
  startTimeoutMs?: number;
  /** The API token the relay was given (LATTICE_API_TOKEN in `env`): get/send send it as a Bearer token. */
  token?: string;
  /** When start resolves: by default once `/status` answers; this instead once the output says so (a relay waiting
   * for its battery serves no API). */
  ready?: (output: string) => boolean;
}

export class RelayProcess {
  child?: ChildProcess;
  apiPort = 0;
  ipPort = 0;
  metricsPort = 0;
  output = '';
  nodeId = '';
  shortId = '';

  constructor(readonly options: RelayProcessOptions) {}

  get api(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  /** The API's bind host (default loopback; `0.0.0.0` puts it beyond loopback, where a token is required). */
  apiHost = '127.0.0.1';

  async start(): Promise<void> {
    if (!this.apiPort) {
      this.apiPort = await freePort();
      this.ipPort = await freePort();
      this.metricsPort = await freePort();
    }
    const args = [
      BIN, 'run', ...(this.options.sim ? [] : ['--no-sim']), '--no-discovery',
      '--data-dir', this.options.dataDir,
      '--api', `${this.apiHost}:${this.apiPort}`,
      '--metrics', `127.0.0.1:${this.metricsPort}`,
      '--ip-listen', `127.0.0.1:${this.ipPort}`,
      ...(this.options.ipPeers ?? []).flatMap((p) => ['--ip-peer', `127.0.0.1:${p}`]),
      ...(this.options.extraArgs ?? []),
    ];
    const argv = this.options.wrap ? this.options.wrap([process.execPath, ...args]) : [process.execPath, ...args];
    const child = spawn(argv[0]!, argv.slice(1), {
      env: { ...process.env, LATTICE_LOG_FORMAT: 'json', LATTICE_LOG_LEVEL: 'info', ...this.options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.on('data', (d) => { this.output += d; });
    child.stderr!.on('data', (d) => { this.output += d; });
    const timeoutMs = this.options.startTimeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // A signal death (SIGBUS, SIGSEGV) leaves exitCode null: check both, so it fails at once instead of timing out.
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`relay exited with ${child.exitCode ?? child.signalCode}:\n${this.output.slice(-4000)}`);
      if (this.options.ready) {
        if (this.options.ready(this.output)) return;
        if (Date.now() > deadline) {
          await this.kill();
          throw new Error(`relay was not ready within ${timeoutMs / 1000} s:\n${this.output.slice(-4000)}`);
        }
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      try {
        const s = await this.get('/status');
        this.nodeId = s.nodeId;
        this.shortId = s.shortId;
        return;
      } catch {
        if (Date.now() > deadline) {
          // Not left running: a live child keeps the test process (and the runner's slot) alive after the failure.
          await this.kill();
          throw new Error(`relay did not serve its API within ${timeoutMs / 1000} s:\n${this.output.slice(-4000)}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Power cut: SIGKILL, no chance to flush anything. */
  async kill(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  }

  /** Clean shutdown (Ctrl-C). Resolves with the exit code. */
  async stop(): Promise<number | null> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return c?.exitCode ?? null;
    return new Promise((resolve) => {
      const t = setTimeout(() => c.kill('SIGKILL'), 15_000);
      c.once('exit', (code) => {
        clearTimeout(t);
        resolve(code);
      });
      c.kill('SIGINT');
    });
  }

  async get(path: string): Promise<any> {
    const r = await this.request('GET', path);
    if (r.status < 200 || r.status > 299) throw new Error(`GET ${path} -> ${r.status} ${r.text}`);
    return JSON.parse(r.text);
  }

  /**
   * One request to the API (with the token, if any): a body that is bytes goes as application/octet-stream, any
   * other as JSON. Over node:http with a keep-alive agent rather than the global fetch: loading undici costs a test
   * process ~0.2 s of CPU and each fetch ~1.5 ms, several times this; tests make hundreds.
   */
  request(method: string, path: string, body?: unknown, timeoutMs = 5_000): Promise<{ status: number; text: string }> {
    const payload = body === undefined ? undefined : body instanceof Uint8Array ? body : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = this.authHeaders();
    if (payload) {
      headers['content-type'] = body instanceof Uint8Array ? 'application/octet-stream' : 'application/json';
      headers['content-length'] = String(payload.byteLength);
    }
    return new Promise((resolve, reject) => {
      const req = httpRequest(this.api + path, { method, headers, agent, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
        // Cut off mid-body (the relay died, the timeout): settles the promise if 'end' did not.
        res.on('close', () => reject(new Error(`${method} ${path}: the response was cut off`)));
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** The Prometheus page of its metrics endpoint (over node:http, as request()). */
  metricsText(): Promise<string> {
    return new Promise((resolve, reject) => {
      httpRequest(`http://127.0.0.1:${this.metricsPort}/metrics`, { agent, signal: AbortSignal.timeout(5_000) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`GET /metrics -> ${res.statusCode}`))));
        res.on('error', reject);
        res.on('close', () => reject(new Error('GET /metrics: the response was cut off')));
      }).on('error', reject).end();
    });
  }

  private authHeaders(): Record<string, string> {
    return this.options.token === undefined ? {} : { authorization: `Bearer ${this.options.token}` };
  }

  async send(to: string, text: string): Promise<string> {
    const r = await this.request('POST', '/send', { to, text }, 10_000);
    if (r.status !== 202) throw new Error(`POST /send -> ${r.status} ${r.text}`);
    return (JSON.parse(r.text) as { bundleId: string }).bundleId;
  }
}

/**
 * Starts `relay` from a uvu `test.before` hook so that a failure is seen: uvu's runner returns from a `finally`
 * around its hooks, which swallows a hook's error (the file then shows "0 passed, N failed" and no reason). The
 * error (with the relay's last output) is written to stderr, which the test runner prints for a failed file, and
 * rethrown so no test runs against a relay that is not there.
 */
export async function startInHook(relay: RelayProcess, what = 'relay'): Promise<void> {
  try {
    await relay.start();
  } catch (err) {
    const e = err as Error;
    process.stderr.write(`\n${what} failed to start (data dir ${relay.options.dataDir}): ${e.stack ?? e.message}\n`);
    if (!e.message.includes(relay.output.slice(-200))) process.stderr.write(`--- its output ---\n${relay.output.slice(-4000)}\n`);
    throw err;
  }
}

/** waitFor with the patience of multi-process tests: a relay process takes seconds to start on a loaded machine. */
export function eventually<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000): Promise<T> {
  return waitFor(what, check, timeoutMs, 100);
}
