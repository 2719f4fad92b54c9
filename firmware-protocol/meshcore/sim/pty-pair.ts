/**
 * A PTY pair from socat (`socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B`): the simulator opens one end,
 * the host the other, exactly as it would open /dev/ttyUSB0. The `link=` symlinks keep the paths stable across a
 * simulated unplug (socat killed and restarted), so a reconnecting host finds the "device" again at the same path.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { PtyPairError } from './errors.js';

export { PtyPairError };

export interface PtyPair {
  /** Symlink the simulator opens. */
  radioPath: string;
  /** Symlink the host opens (what `lattice sim meshcore --pty` prints). */
  hostPath: string;
  /** The /dev/pts paths socat reported. */
  devices: [string, string];
  close(): Promise<void>;
}

export function openPtyPair(radioPath: string, hostPath: string, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<PtyPair> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${radioPath}`, `pty,raw,echo=0,link=${hostPath}`], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    } catch (err) {
      return reject(new PtyPairError('could not start socat', { cause: err }));
    }
    const devices: string[] = [];
    let stderr = '';
    let settled = false;
    const timer = setTimeout(() => fail(`no PTY paths within ${options.timeoutMs ?? 10000} ms: ${stderr.trim()}`), options.timeoutMs ?? 10000);
    const onAbort = () => fail('aborted');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    function fail(detail: string, cause?: unknown): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      child.kill('SIGKILL');
      reject(new PtyPairError(detail, { cause }));
    }
    child.on('error', (err) => fail('socat failed to run (is it installed?)', err));
    child.on('exit', (code) => fail(`socat exited with ${code}: ${stderr.trim()}`));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      stderr += d;
      for (const m of d.matchAll(/PTY is (\S+)/g)) devices.push(m[1]);
      // "starting data transfer loop" comes after both PTYs exist and the links are in place.
      if (!settled && devices.length >= 2 && stderr.includes('starting data transfer loop')) {
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        resolve({
          radioPath, hostPath, devices: [devices[0], devices[1]],
          close: () => new Promise<void>((res) => {
            if (child.exitCode !== null || child.signalCode !== null) return res();
            child.once('exit', () => res());
            child.kill('SIGTERM');
          }),
        });
      }
    });
  });
}
