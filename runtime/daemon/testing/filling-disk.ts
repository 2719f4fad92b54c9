/**
 * Test support: a disk that fills under a relay, for the full-disk test (runtime/daemon/full-disk.test.ts).
 *
 *   tmpfs            as root where mounts are allowed: a tmpfs mounted in a private mount namespace (`unshare -m`, a
 *                    holder process keeps it alive), the relay run inside it (`nsenter -m`); it is filled with a
 *                    ballast file (written through /proc/<holder>/root) and freed by deleting it. ENOSPC for real.
 *   file-size limit  anywhere else: the relay runs under `prlimit --fsize`, so the kernel refuses to grow its vault
 *                    file past the limit, as a full disk would (LMDB sees a short write: EIO); lifting the limit on
 *                    the running process (prlimit --pid) is the space returning.
 *
 * Both drive the unmodified daemon through its real file-system calls; `kind` says which one ran.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync, ftruncateSync, writeSync, unlinkSync, statfsSync } from 'node:fs';
import { join } from 'node:path';

export interface FillingDisk {
  kind: 'tmpfs' | 'file-size limit';
  /** The relay's data directory (on the disk that fills). */
  dataDir: string;
  /** Wraps the relay's command line so that it runs on this disk. */
  wrap(argv: string[]): string[];
  /** Leaves about `room` bytes free (tmpfs); with a file-size limit the limit is the room. */
  fill(room: number): void;
  /** Space returns, for the running relay `pid` (and any started later). */
  free(pid: number): void;
  close(): Promise<void>;
}

/**
 * A tmpfs of `tmpfsBytes` when this process may mount one, else a file-size limit of `limitBytes` on the relay.
 * LATTICE_TEST_FULL_DISK=limit picks the file-size limit even as root (to run the fallback where tmpfs works).
 */
export async function fillingDisk(root: string, tmpfsBytes: number, limitBytes: number): Promise<FillingDisk> {
  const tmpfs = process.env.LATTICE_TEST_FULL_DISK === 'limit' ? undefined : await tmpfsDisk(root, tmpfsBytes);
  return tmpfs ?? limitDisk(root, limitBytes);
}

async function tmpfsDisk(root: string, bytes: number): Promise<FillingDisk | undefined> {
  if (process.getuid?.() !== 0 || spawnSync('nsenter', ['--version']).error) return undefined;
  const mnt = join(root, 'tmpfs');
  mkdirSync(mnt, { recursive: true });
  const holder: ChildProcess = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `mount -t tmpfs -o size=${bytes},mode=0700 tmpfs "$0" && echo mounted && exec sleep 3600`, mnt], { stdio: ['ignore', 'pipe', 'pipe'] });
  const mounted = await new Promise<boolean>((resolve) => {
    let out = '';
    holder.stdout!.on('data', (d) => { out += d; if (out.includes('mounted')) resolve(true); });
    holder.once('exit', () => resolve(false));
    holder.once('error', () => resolve(false));
  });
  if (!mounted) return undefined;
  const inside = (p: string) => `/proc/${holder.pid}/root${p}`;
  const ballast = join(mnt, 'ballast');
  return {
    kind: 'tmpfs',
    dataDir: join(mnt, 'data'),
    wrap: (argv) => ['nsenter', '-t', String(holder.pid), '-m', '--', ...argv],
    fill(room) {
      const fd = openSync(inside(ballast), 'w');
      const chunk = Buffer.alloc(1 << 20);
      let size = 0;
      try {
        for (;;) size += writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      }
      // The last write may have been partial: what is on the disk is the file's end, then leave `room`.
      const free = statfsSync(inside(mnt)).bavail * statfsSync(inside(mnt)).bsize;
      ftruncateSync(fd, Math.max(0, size + free - room));
      closeSync(fd);
    },
    free() {
      unlinkSync(inside(ballast));
    },
    async close() {
      holder.kill('SIGKILL');
      if (holder.exitCode === null && holder.signalCode === null) await new Promise((r) => holder.once('exit', r));
    },
  };
}

function limitDisk(root: string, limit: number): FillingDisk {
  if (spawnSync('prlimit', ['--version']).error) throw new Error('the full-disk test needs root (tmpfs) or prlimit (util-linux) for a file-size limit');
  let limited = true;
  return {
    kind: 'file-size limit',
    dataDir: join(root, 'data'),
    wrap: (argv) => (limited ? ['prlimit', `--fsize=${limit}:unlimited`, '--', ...argv] : argv),
    fill() {
      // The limit is the fill: the vault's file reaches it as bundles are stored.
    },
    free(pid) {
      limited = false;
      const r = spawnSync('prlimit', ['--pid', String(pid), '--fsize=unlimited:unlimited']);
      if (r.status !== 0) throw new Error(`prlimit --pid ${pid}: ${r.stderr}`);
    },
    async close() {},
  };
}
