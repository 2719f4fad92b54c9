/**
 * `lattice put FILE`, `lattice get ID [-o FILE]`, `lattice shards`: the shard store's CLI commands, written against
 * a small ShardsApi so they run the same whether the CLI talks to the daemon over HTTP or to a ShardNode in-process
 * (ShardNode satisfies ShardsApi through `nodeApi`). runtime/cli/commands/shards.ts registers them with an
 * HTTP-backed ShardsApi (runtime/api/shards-client.ts). Results go to stdout, progress to stderr; `lattice get ID`
 * without -o writes the file itself to stdout (and its summary to stderr).
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { Command, CommandContext } from '../cli/command.js';
import { UsageError } from '../cli/errors.js';
import { EXIT_OK } from '../cli/exit-codes.js';
import { parseDuration } from '../cli/format/time.js';
import { isManifestId } from './manifest.js';
import { createProgressBar, formatBytes, type ProgressStream } from './progress-bar.js';
import type { PutResult } from './file-put.js';
import type { GetResult } from './file-get.js';
import type { ShardNode, ShardsStatus } from './shard-node.js';

/** Where `lattice get` without -o writes the file's bytes (process.stdout). */
export interface ByteSink {
  write(chunk: Uint8Array): unknown;
  once?(event: 'drain', listener: () => void): unknown;
  isTTY?: boolean;
}

export interface ShardsApi {
  putFile(path: string, opts: { onProgress?: (p: { bytes: number; total: number }) => void; signal?: AbortSignal; lifetimeMs?: number }): Promise<PutResult>;
  /** `out`: a path (written whole or not at all) or a byte sink. */
  getFile(id: string, out: string | ByteSink, opts: { onProgress?: (p: { bytes: number; total: number }) => void; signal?: AbortSignal }): Promise<GetResult>;
  shardsStatus(): Promise<ShardsStatus>;
}

export function nodeApi(node: ShardNode): ShardsApi {
  return {
    putFile: (path, opts) => node.putFile(path, opts),
    async getFile(id, out, opts) {
      if (typeof out === 'string') return node.getFile(id, out, opts);
      // A sink gets the file only once every chunk checked out, like the HTTP route does.
      const dir = await mkdtemp(join(tmpdir(), 'lattice-get-'));
      try {
        const r = await node.getFile(id, join(dir, 'file'), opts);
        for await (const chunk of createReadStream(join(dir, 'file'))) {
          if (out.write(chunk as Uint8Array) === false && out.once) await new Promise<void>((res) => out.once!('drain', res));
        }
        return r;
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    shardsStatus: async () => node.status(),
  };
}

export interface ShardCliContext {
  stdout: ProgressStream;
  stderr: ProgressStream;
  cwd: string;
  api: ShardsApi;
  /** Where `get` without -o writes the file (stdout as bytes); without it, get needs -o. */
  data?: ByteSink;
  json?: boolean;
  /** Show no progress even on a terminal. */
  quiet?: boolean;
  signal?: AbortSignal;
}

const abs = (cwd: string, p: string) => (isAbsolute(p) ? p : resolve(cwd, p));

export async function runPut(args: { file: string; lifetime?: string }, ctx: ShardCliContext): Promise<number> {
  let lifetimeMs: number | undefined;
  if (args.lifetime !== undefined) {
    lifetimeMs = parseDuration(args.lifetime);
    if (lifetimeMs === undefined || lifetimeMs <= 0) throw new UsageError(`--lifetime "${args.lifetime}" is not a duration such as 12h, 7d or 30d`, 'put');
  }
  const path = abs(ctx.cwd, args.file);
  const st = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${args.file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, 'put');
  });
  if (!st.isFile()) throw new UsageError(`${args.file} is not a regular file`, 'put');
  const bar = ctx.quiet ? undefined : createProgressBar(ctx.stderr, 'put');
  let result: PutResult;
  try {
    result = await ctx.api.putFile(path, { onProgress: (p) => bar?.update(p.bytes, p.total), signal: ctx.signal, ...(lifetimeMs !== undefined ? { lifetimeMs } : {}) });
  } finally {
    bar?.done();
  }
  if (ctx.json) ctx.stdout.write(`${JSON.stringify(result)}\n`);
  else ctx.stdout.write(`${result.id}\n`);
  return EXIT_OK;
}

export async function runGet(args: { id: string; out?: string }, ctx: ShardCliContext): Promise<number> {
  if (!isManifestId(args.id)) throw new UsageError(`"${args.id}" is not a manifest id (64 hex characters, as printed by lattice put)`, 'get');
  let out: string | ByteSink;
  if (args.out !== undefined && args.out !== '-') out = abs(ctx.cwd, args.out);
  else if (ctx.data) {
    if (ctx.data.isTTY) throw new UsageError('refusing to write a file to the terminal: give -o FILE or redirect stdout', 'get');
    out = ctx.data;
  } else out = abs(ctx.cwd, args.id);
  const toStdout = typeof out !== 'string';
  const bar = ctx.quiet ? undefined : createProgressBar(ctx.stderr, 'get');
  let result: GetResult;
  try {
    result = await ctx.api.getFile(args.id, out, { onProgress: (p) => bar?.update(p.bytes, p.total), signal: ctx.signal });
  } finally {
    bar?.done();
  }
  // With the file on stdout, the summary goes to stderr.
  const report = toStdout ? ctx.stderr : ctx.stdout;
  const where = typeof out === 'string' ? out : '-';
  if (ctx.json) report.write(`${JSON.stringify({ ...result, path: where })}\n`);
  else report.write(`${where === '-' ? `${result.name || result.id}` : where} (${formatBytes(result.size)}${result.rebuiltChunks ? `, ${result.rebuiltChunks} chunks rebuilt from parity` : ''})\n`);
  return EXIT_OK;
}

export async function runShards(ctx: ShardCliContext): Promise<number> {
  const s = await ctx.api.shardsStatus();
  if (ctx.json) {
    ctx.stdout.write(`${JSON.stringify(s)}\n`);
    return EXIT_OK;
  }
  const pct = (a: number, b: number) => (b > 0 ? `${((100 * a) / b).toFixed(1)} %` : '-');
  const lines = [
    `promised   ${s.heldShards} shards, ${formatBytes(s.heldBytes)}`,
    `cached     ${s.cachedShards} shards, ${formatBytes(s.cachedBytes)} of ${formatBytes(s.cacheBytes)} cache budget`,
    `disk       ${formatBytes(s.heldBytes + s.cachedBytes)} of ${formatBytes(s.diskBytes)} budget (${pct(s.heldBytes + s.cachedBytes, s.diskBytes)})`,
    `hit rate   ${s.localReads + s.remoteReads === 0 ? '-' : `${(100 * s.hitRate).toFixed(1)} %`} (${s.localReads} local, ${s.remoteReads} from relays)`,
    `manifests  ${s.manifests}`,
    `challenges ${s.challengesSent} sent, ${s.challengesFailed} failed`,
    `repairs    ${s.repairs} done, ${s.repairQueue} queued`,
  ];
  if (s.peers.length > 0) {
    lines.push('holders');
    for (const p of s.peers) lines.push(`  ${p.peer.slice(0, 16).padEnd(16)}  reputation ${String(p.reputation).padStart(3)}${p.reputation < 20 ? ' (excluded)' : ''}  ${p.online ? 'online' : 'offline'}`);
  }
  ctx.stdout.write(`${lines.join('\n')}\n`);
  return EXIT_OK;
}

/** The three commands for runtime/cli/commands/index.ts; `apiFor` builds the ShardsApi for one invocation. */
export function shardCommands(apiFor: (ctx: CommandContext) => Promise<ShardsApi>): Command[] {
  const cliCtx = async (ctx: CommandContext): Promise<ShardCliContext> => ({
    stdout: ctx.io.stdout, stderr: ctx.io.stderr, cwd: ctx.io.cwd, api: await apiFor(ctx),
    // process.stdout takes bytes as well as strings.
    data: ctx.io.stdout as unknown as ByteSink,
    json: ctx.values.json === true, quiet: ctx.values.quiet === true,
  });
  return [
    {
      name: 'put', summary: 'store a file on the relays (erasure coded) and print its manifest id', usage: '<file>',
      description: '\nSplits the file into Reed-Solomon shards (3 data + 2 parity by default) on distinct relays; any 3 of each 5\nrebuild it. Prints the manifest id to give to `lattice get`.',
      configFlags: ['api'], json: true, positionals: { min: 1, max: 1 },
      options: {
        lifetime: { type: 'string', arg: 'DURATION', help: 'how long relays keep it: 12h, 7d (default: shards.lifetimeDays, 30d)' },
        quiet: { type: 'boolean', short: 'q', help: 'no progress bar' },
      },
      run: async (ctx) => runPut({ file: ctx.args[0]!, ...(typeof ctx.values.lifetime === 'string' ? { lifetime: ctx.values.lifetime } : {}) }, await cliCtx(ctx)),
    },
    {
      name: 'get', summary: 'fetch a stored file by manifest id', usage: '<id>',
      description: '\nRebuilds the file from any k shards of each chunk on the reachable relays, every chunk checked against its\nhash. Writes it to -o FILE (created only once complete), or to stdout without -o (the summary goes to stderr).',
      configFlags: ['api'], json: true, positionals: { min: 1, max: 1 },
      options: {
        output: { type: 'string', short: 'o', arg: 'FILE', help: 'where to write it (default: stdout)' },
        quiet: { type: 'boolean', short: 'q', help: 'no progress bar' },
      },
      run: async (ctx) => runGet({ id: ctx.args[0]!, ...(typeof ctx.values.output === 'string' ? { out: ctx.values.output } : {}) }, await cliCtx(ctx)),
    },
    {
      name: 'shards', summary: 'shard store: local holdings, budgets, cache hit rate, holder reputations',
      configFlags: ['api'], json: true, positionals: { min: 0, max: 0 },
      run: async (ctx) => runShards(await cliCtx(ctx)),
    },
  ];
}
