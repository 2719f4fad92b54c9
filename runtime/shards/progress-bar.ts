/**
 * Progress of a long put/get for the CLI. On a terminal: one line redrawn in place (`\r`), at most 10 times a second,
 * `name [#####.....]  45%  45.0/100.0 MB  12.3 MB/s`. Elsewhere (pipes, logs, CI): a plain line at every 10 %, so a
 * log file gets 11 lines, not thousands. Writes go to the stream given (stderr: stdout carries the command's result).
 */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface ProgressBar {
  update(bytes: number, total: number): void;
  /** Final line; call once at the end (success or not). */
  done(message?: string): void;
}

const WIDTH = 24;
const REDRAW_MS = 100;

export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

export function createProgressBar(stream: ProgressStream, label: string, now: () => number = Date.now): ProgressBar {
  const started = now();
  let lastDraw = -Infinity;
  let lastStep = -1;
  let drawn = false;
  const line = (bytes: number, total: number) => {
    const frac = total > 0 ? Math.min(1, bytes / total) : 1;
    const secs = Math.max((now() - started) / 1000, 1e-3);
    const rate = `${formatBytes(Math.round(bytes / secs))}/s`;
    return { frac, text: `${label} ${`${Math.floor(frac * 100)}%`.padStart(4)}  ${formatBytes(bytes)}/${formatBytes(total)}  ${rate}` };
  };
  return {
    update(bytes, total) {
      const { frac, text } = line(bytes, total);
      if (stream.isTTY) {
        const t = now();
        if (t - lastDraw < REDRAW_MS && frac < 1) return;
        lastDraw = t;
        const fill = Math.round(frac * WIDTH);
        const bar = `[${'#'.repeat(fill)}${'.'.repeat(WIDTH - fill)}]`;
        stream.write(`\r\x1b[2K${text.replace(label, `${label} ${bar}`)}`);
        drawn = true;
        return;
      }
      const step = Math.floor(frac * 10);
      if (step === lastStep) return;
      lastStep = step;
      stream.write(`${text}\n`);
    },
    done(message) {
      if (stream.isTTY && drawn) stream.write(message ? `\r\x1b[2K${message}\n` : '\n');
      else if (message) stream.write(`${message}\n`);
    },
  };
}
