/**
 * `lattice sim meshtastic|meshcore (--pty | --tcp PORT)`: runs a simulated companion radio on a real PTY (socat) or
 * a TCP port, so a user can try the relay without a radio: `lattice run --meshtastic /dev/pts/N` or
 * `--meshtastic 127.0.0.1:4403` in another terminal. The simulators speak the firmwares' real protocols (see
 * firmware-protocol/*\/testing); they are loaded only when this command runs.
 */
import type { Command, CommandContext } from '../command.js';
import { EXIT_OK, EXIT_USAGE } from '../exit-codes.js';

function waitForStop(ctx: CommandContext): { signal: AbortSignal; done: () => void } {
  const controller = new AbortController();
  const off = ctx.io.onSignal(() => controller.abort());
  return { signal: controller.signal, done: off };
}

const print = (ctx: CommandContext) => (line: string) => void ctx.io.stdout.write(`${line}\n`);

function tcpPort(v: unknown, fallback: number): number | undefined {
  if (v === undefined) return undefined;
  if (v === true || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new RangeError(`--tcp takes a port number (0-65535), got ${String(v)}`);
  return n;
}

const meshtastic: Command = {
  name: 'meshtastic',
  summary: 'simulated Meshtastic radio (firmware protocol) on a PTY or TCP port (default 4403)',
  options: {
    pty: { type: 'boolean', help: 'serve on a pseudo-terminal (prints its path)' },
    tcp: { type: 'string', arg: 'PORT', help: 'serve the TCP API on PORT (4403 is the firmware default)' },
    verbose: { type: 'boolean', help: "also print the simulated firmware's debug lines" },
    'single-client': { type: 'boolean', help: 'serve one TCP client at a time, a new one displaces the old (the firmware); default: several at once' },
  },
  async run(ctx) {
    let port: number | undefined;
    try {
      port = tcpPort(ctx.values.tcp, 4403);
    } catch (err) {
      ctx.io.stderr.write(`lattice sim meshtastic: ${(err as Error).message}\n`);
      return EXIT_USAGE;
    }
    if (!ctx.values.pty && port === undefined) {
      ctx.io.stderr.write('lattice sim meshtastic: give --pty or --tcp PORT\n');
      return EXIT_USAGE;
    }
    const { runMeshtasticSimCommand } = await import('../../../firmware-protocol/meshtastic/sim/sim-command.js');
    const stop = waitForStop(ctx);
    try {
      await runMeshtasticSimCommand({ pty: ctx.values.pty === true, ...(port !== undefined ? { tcpPort: port } : {}), print: print(ctx), signal: stop.signal, verbose: ctx.values.verbose === true, tcpClients: ctx.values['single-client'] === true ? 'one' : 'many' });
    } finally {
      stop.done();
    }
    return EXIT_OK;
  },
};

const meshcore: Command = {
  name: 'meshcore',
  summary: 'simulated MeshCore companion radio on a PTY or TCP port (default 5000)',
  options: {
    pty: { type: 'boolean', help: 'serve on a pseudo-terminal (prints its path)' },
    tcp: { type: 'string', arg: 'PORT', help: 'serve on TCP PORT (5000 is the firmware default)' },
    name: { type: 'string', arg: 'NAME', help: "the radio's node name (default SimRadio)" },
    traffic: { type: 'string', arg: 'SECONDS', help: 'Public channel chatter every SECONDS (default none)' },
  },
  async run(ctx) {
    const argv: string[] = [];
    if (ctx.values.pty) argv.push('--pty');
    if (ctx.values.tcp !== undefined) argv.push('--tcp', ...(ctx.values.tcp === '' ? [] : [String(ctx.values.tcp)]));
    if (typeof ctx.values.name === 'string') argv.push('--name', ctx.values.name);
    if (typeof ctx.values.traffic === 'string') argv.push('--traffic', ctx.values.traffic);
    const { runSimMeshCore, SimUsageError } = await import('../../../firmware-protocol/meshcore/sim/sim-cli.js');
    const stop = waitForStop(ctx);
    try {
      const sim = await runSimMeshCore(argv, print(ctx), stop.signal);
      if (!stop.signal.aborted) await new Promise<void>((r) => stop.signal.addEventListener('abort', () => r(), { once: true }));
      await sim.stop();
      ctx.io.stdout.write('simulator stopped\n');
      return EXIT_OK;
    } catch (err) {
      if (err instanceof SimUsageError) {
        ctx.io.stderr.write(`lattice sim meshcore: ${err.message}\n`);
        return EXIT_USAGE;
      }
      throw err;
    } finally {
      stop.done();
    }
  },
};

export const sim: Command = {
  name: 'sim',
  summary: 'run a simulated Meshtastic or MeshCore radio to try the relay without hardware',
  usage: 'meshtastic|meshcore (--pty | --tcp PORT)',
  subcommands: [meshtastic, meshcore],
};
