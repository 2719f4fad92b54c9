/**
 * A pseudo-terminal pair from socat (`socat -d -d pty,raw,echo=0 pty,raw,echo=0`): two real TTY devices wired
 * back to back, the closest thing to a USB serial radio without one. Optional `link=` symlinks give both ends stable
 * paths across restarts (a "replug" gets new /dev/pts numbers but the same link). Killing socat closes both ends,
 * which the host sees exactly like a pulled USB cable (EIO / close).
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface PtyPair {
  /** Device end (the simulator opens this). */
  devicePath: string;
  /** Host end (the client opens this). */
  hostPath: string;
  process: ChildProcess;
  close(): Promise<void>;
}

export async function openPtyPair(options: { deviceLink?: string; hostLink?: string; signal?: AbortSignal; timeoutMs?: number } = {}): Promise<PtyPair> {
  const end = (link?: string) => `pty,raw,echo=0${link ? `,link=${link}` : ''}`;
  const child = spawn('socat', ['-d', '-d', end(options.deviceLink), end(options.hostLink)], { stdio: ['ignore', 'ignore', 'pipe'] });
  const paths: string[] = [];
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`socat did not report two PTY paths within ${options.timeoutMs ?? 10_000} ms: ${stderr}`)), options.timeoutMs ?? 10_000);
    const onAbort = () => fail(new Error('aborted while waiting for socat PTY paths'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    function done(err?: Error) {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      child.stderr!.removeListener('data', onData);
      child.removeListener('exit', onExit);
      child.removeListener('error', fail);
      if (err) reject(err);
      else resolve();
    }
    function fail(err: Error) {
      child.kill('SIGKILL');
      done(err);
    }
    function onExit(code: number | null) {
      done(new Error(`socat exited (${code}) before opening PTYs: ${stderr}`));
    }
    function onData(d: Buffer) {
      stderr += d.toString();
      // "2024/01/01 12:00:00 socat[123] N PTY is /dev/pts/5"
      for (const m of stderr.matchAll(/PTY is (\S+)/g)) if (!paths.includes(m[1]!)) paths.push(m[1]!);
      if (paths.length >= 2 && /starting data transfer loop/.test(stderr)) done();
    }
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
    child.once('error', fail);
  });
  // Keep draining socat's stderr so it never blocks on a full pipe.
  child.stderr!.on('data', () => {});
  return {
    devicePath: options.deviceLink ?? paths[0]!,
    hostPath: options.hostLink ?? paths[1]!,
    process: child,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
