/**
 * A real mosquitto broker for tests: loopback only, anonymous, no persistence, on a free port (or the port given,
 * so a test can stop the broker and bring it back where clients expect it). Test support: production code never
 * imports this.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../../lib/testing/free-port.js';

export const MOSQUITTO_BIN = process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto';

export interface Mosquitto {
  /** `mqtt://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Kills the broker (SIGTERM, then SIGKILL) and removes its temp dir. Idempotent. */
  stop(): Promise<void>;
}

export interface StartMosquittoOptions {
  /** Listen here instead of a free port (e.g. to restart a broker at the same address). */
  port?: number;
  /** How long to wait for the broker to accept connections; default 10 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** A TLS listener (mqtts://) with this certificate and key (PEM files) instead of plain MQTT. */
  tls?: { certfile: string; keyfile: string };
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

export async function startMosquitto(options: StartMosquittoOptions = {}): Promise<Mosquitto> {
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'lattice-mosquitto-'));
  const conf = join(dir, 'mosquitto.conf');
  const tls = options.tls ? [`certfile ${options.tls.certfile}`, `keyfile ${options.tls.keyfile}`] : [];
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, ...tls, 'allow_anonymous true', 'persistence false', 'log_dest stderr', ''].join('\n'));
  const child: ChildProcess = spawn(MOSQUITTO_BIN, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    resolve();
  }));
  child.once('error', (err) => {
    stderr += `\n${String(err)}`;
    exited = true;
  });

  // A test process that dies without stop() must not leave a broker behind.
  const killOnExit = () => {
    if (!exited) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    if (!exited) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exit;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (options.signal?.aborted) {
      await stop();
      throw options.signal.reason;
    }
    if (exited) {
      await stop();
      throw new Error(`mosquitto exited before accepting connections on port ${port}: ${stderr.trim()}`);
    }
    if (await tryConnect(port)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`mosquitto did not accept connections on 127.0.0.1:${port} within ${timeoutMs} ms: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `${options.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`, port, stop };
}
