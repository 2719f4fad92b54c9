/**
 * `lattice sim meshtastic|meshcore (--pty | --tcp PORT)`: runs a simulated companion radio on a real PTY (socat) or
 * a TCP port, so a user can try the relay without a radio: `lattice run --meshtastic /dev/pts/N` or
 * `--meshtastic 127.0.0.1:4403` in another terminal. The simulators speak the firmwares' real protocols (see
 * firmware-protocol/*\/testing); they are loaded only when this command runs.
 *
 * `lattice sim air --tcp HOST:PORT`: the shared simulated LoRa air (drivers/sx126x/sim/AIR-PROTOCOL.md) that relays
 * with `hal: sim` radios and outside tools join as antennas.
 */
import type { Command, CommandContext } from '../command.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';

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

const air: Command = {
  name: 'air',
  summary: 'shared simulated LoRa air over TCP: relays with hal: sim and outside tools are its antennas',
  description:
    'Each TCP connection is one antenna; newline-delimited JSON both ways (tune, tx, stats; tuned, txdone, rx, error),\n' +
    'described in drivers/sx126x/sim/AIR-PROTOCOL.md. Ctrl-C stops it and prints its counters.',
  options: {
    tcp: { type: 'string', arg: 'HOST:PORT', help: 'listen on HOST:PORT (a port alone listens on 127.0.0.1)' },
    verbose: { type: 'boolean', help: 'print antennas connecting and leaving, and every ignored line' },
  },
  async run(ctx) {
    const { parseHostPort } = await import('../../config/host-port.js');
    const given = typeof ctx.values.tcp === 'string' ? ctx.values.tcp : undefined;
    const hp = given === undefined || given === '' ? 'give --tcp HOST:PORT (e.g. --tcp 127.0.0.1:4680)' : parseHostPort(given);
    if (typeof hp === 'string') {
      ctx.io.stderr.write(`lattice sim air: ${hp}\n`);
      return EXIT_USAGE;
    }
    const { startAirServer } = await import('../../../drivers/sx126x/sim/air-server.js');
    const { formatHostPort } = await import('../../config/host-port.js');
    const out = print(ctx);
    const stop = waitForStop(ctx);
    try {
      const server = await startAirServer({ host: hp.host ?? '127.0.0.1', port: hp.port, ...(ctx.values.verbose === true ? { log: out } : {}) });
      const m = server.air.model;
      out(`simulated air listening on ${formatHostPort(server)} (newline-delimited JSON, one antenna per connection)`);
      out(`model: ${m.txPowerDbm} dBm, path-loss exponent ${m.pathLossExponent}, noise figure ${m.noiseFigureDb} dB, always heard within ${m.alwaysHearM} m, capture margin ${m.captureMarginDb} dB`);
      if (!stop.signal.aborted) await new Promise<void>((r) => stop.signal.addEventListener('abort', () => r(), { once: true }));
      const s = server.stats();
      await server.stop();
      out(`air stopped: ${s.frames} frames, ${s.deliveries} deliveries, ${s.collisions} collisions, ${s.halfDuplex} half-duplex losses, ${s.busy} busy, ${s.ignoredLines} ignored lines`);
      return EXIT_OK;
    } catch (err) {
      ctx.io.stderr.write(`lattice sim air: cannot listen on ${given}: ${(err as Error).message}\n`);
      return EXIT_FAILURE;
    } finally {
      stop.done();
    }
  },
};

export const sim: Command = {
  name: 'sim',
  summary: 'run a simulated Meshtastic or MeshCore radio, or the simulated LoRa air, to try the relay without hardware',
  usage: 'meshtastic|meshcore (--pty | --tcp PORT) | air --tcp HOST:PORT',
  subcommands: [meshtastic, meshcore, air],
};
