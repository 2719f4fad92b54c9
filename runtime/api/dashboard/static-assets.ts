/**
 * The dashboard's files (the package's `web/` folder: plain HTML, CSS and JavaScript, no build step, nothing from a
 * CDN), read once and kept compressed in memory on first use, served with an ETag so a reload costs a 304.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { compress, COMPRESS_MIN_BYTES, negotiateEncoding, type Encoding } from '../compression.js';
import { DashboardFilesMissingError } from '../errors.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
};

/** Headers every dashboard file carries: no sniffing, no framing by other sites, nothing loaded from elsewhere. */
export const PAGE_SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  // OpenStreetMap tiles are the only outside resource, and only as images.
  'content-security-policy': "default-src 'self'; img-src 'self' data: https://tile.openstreetmap.org; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
};

interface Asset {
  type: string;
  raw: Buffer;
  etag: string;
  encoded: Partial<Record<Encoding, Buffer>>;
}

/** The `web/` folder of the package this file belongs to (source checkout or installed dist/; test-runner: dist-safe). */
export function defaultWebDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'web', 'index.html'))) return join(dir, 'web');
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new DashboardFilesMissingError(dirname(fileURLToPath(import.meta.url)));
}

export class StaticAssets {
  private readonly assets = new Map<string, Asset>();

  /** Reads every file of `dir` (flat: the dashboard has a handful). */
  constructor(readonly dir: string) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (err) {
      throw new DashboardFilesMissingError(dir, { cause: err });
    }
    if (!names.includes('index.html') || !names.includes('login.html')) throw new DashboardFilesMissingError(dir);
    for (const name of names) {
      const ext = name.slice(name.lastIndexOf('.'));
      const type = TYPES[ext];
      if (!type) continue;
      const raw = readFileSync(join(dir, name));
      this.assets.set(name, { type, raw, etag: `"${createHash('sha256').update(raw).digest('base64url').slice(0, 22)}"`, encoded: {} });
    }
  }

  has(name: string): boolean {
    return this.assets.has(name);
  }

  /** The file's text (the login page is a template). */
  text(name: string): string {
    const a = this.assets.get(name);
    if (!a) throw new DashboardFilesMissingError(join(this.dir, name));
    return a.raw.toString('utf8');
  }

  /** Answers GET for `name`: 304 when the client has it, else the file compressed as the client accepts. */
  serve(name: string, req: IncomingMessage, res: ServerResponse): void {
    const a = this.assets.get(name);
    if (!a) throw new DashboardFilesMissingError(join(this.dir, name));
    // Revalidated on every load (no-cache) so an upgrade shows at once; a 304 is a few hundred bytes.
    const headers: Record<string, string | number> = { ...PAGE_SECURITY_HEADERS, 'content-type': a.type, etag: a.etag, 'cache-control': 'no-cache', vary: 'accept-encoding' };
    if (req.headers['if-none-match'] === a.etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const enc = a.raw.byteLength >= COMPRESS_MIN_BYTES ? negotiateEncoding(req.headers['accept-encoding']) : undefined;
    let body = a.raw;
    if (enc) {
      body = a.encoded[enc] ??= compress(a.raw, enc, 'static');
      headers['content-encoding'] = enc;
    }
    headers['content-length'] = body.byteLength;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }
}

/** A small page written as it is (the login page with or without its message). */
export function sendHtml(req: IncomingMessage, res: ServerResponse, status: number, html: string, extra: Record<string, string | string[]> = {}): void {
  const raw = Buffer.from(html, 'utf8');
  res.writeHead(status, { ...PAGE_SECURITY_HEADERS, 'content-type': TYPES['.html']!, 'content-length': raw.byteLength, 'cache-control': 'no-store', ...extra });
  res.end(req.method === 'HEAD' ? undefined : raw);
}
