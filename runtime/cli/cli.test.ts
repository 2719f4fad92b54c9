import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';
import { COMMANDS } from './commands/index.js';
import { makeRunCommand } from './commands/run.js';
import { memoryIo, ExitCalled } from './testing/memory-io.js';
import type { Config } from '../config/config.js';
import { ApiServer } from '../api/api-server.js';
import { FakeRelayNode } from '../api/testing/fake-relay-node.js';
import { captureLogs } from '../log/testing/capture-logs.js';
import { VERSION } from '../version.js';
import { createMetrics } from '../metrics/metrics.js';
import { MetricsServer } from '../metrics/metrics-server.js';
import { freePort } from '../../lib/testing/free-port.js';

const logs = captureLogs('info');
let tmp = '';
test.before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'lattice-cli-'));
});
test.after(() => {
  logs.restore();
  rmSync(tmp, { recursive: true, force: true });
});

async function cli(argv: string[], init: Parameters<typeof memoryIo>[0] = {}) {
  const io = memoryIo({ cwd: tmp, ...init });
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err(), io };
}

test('help, version, unknown commands and options', async () => {
  let r = await cli(['--version']);
  assert.is(r.code, 0);
  assert.is(r.out, `lattice ${VERSION}\n`);
  r = await cli(['help']);
  assert.is(r.code, 0);
  for (const c of COMMANDS) assert.match(r.out, new RegExp(`^  ${c.name} `, 'm'));
  r = await cli([]);
  assert.is(r.code, 2);
  assert.match(r.err, /Usage: lattice <command>/);
  r = await cli(['help', 'run']);
  assert.is(r.code, 0);
  assert.match(r.out, /--ip-peer HOST:PORT .*\(repeatable; env: comma list\) \[LATTICE_IP_PEERS\]/);
  assert.match(r.out, /--no-discovery/);
  r = await cli(['send', '--help']);
  assert.is(r.code, 0);
  assert.match(r.out, /Usage: lattice send <to> <text\.\.\.>/);
  assert.not.match(r.out, /--meshtastic/, 'client commands do not offer daemon flags');
  r = await cli(['stauts']);
  assert.is(r.code, 2);
  assert.match(r.err, /unknown command "stauts"; did you mean "status"\?/);
  r = await cli(['status', '--jsno']);
  assert.is(r.code, 2);
  assert.match(r.err, /unknown option --jsno; did you mean "--json"\?/);
  r = await cli(['send', 'only-recipient']);
  assert.is(r.code, 2);
  assert.match(r.err, /send needs <to> <text\.\.\.>/);
  r = await cli(['trace', 'a', 'b']);
  assert.is(r.code, 2);
  r = await cli(['status', 'extra']);
  assert.is(r.code, 2);
  r = await cli(['status', '--api']);
  assert.is(r.code, 2);
  assert.match(r.err, /--api needs a value/);
  r = await cli(['trace', 'not-an-id']);
  assert.is(r.code, 2);
  r = await cli(['send', '*', 'x', '--lifetime', 'forever']);
  assert.is(r.code, 2);
  assert.match(r.err, /--lifetime "forever" is not a duration/);
});

test('bad config: every issue on stderr as `path: message`, exit 2', async () => {
  const file = join(tmp, 'bad.yaml');
  writeFileSync(file, 'api:\n  prot: 1\nip:\n  heartbeatMs: 1\nlora:\n  - hal: spu\n');
  const r = await cli(['config', '--config', file, '--ip-peer', 'x:0'], { env: { LATTICE_DISCOVER: 'no' } });
  assert.is(r.code, 2);
  assert.is(r.out, '');
  assert.equal(r.err.trimEnd().split('\n'), [
    'api.prot: unknown key; did you mean "port"?',
    'ip.heartbeatMs: must be ≥ 1000, got 1',
    'lora[0].hal: must be one of spi, serial, emulated, sim, got "spu"; did you mean "spi"?',
    'LATTICE_DISCOVER: unknown environment variable; did you mean "LATTICE_DISCOVERY"?',
    '--ip-peer (ip.peers[0]): port 0 is out of range 1..65535',
  ]);
  const missing = await cli(['config', '--config', join(tmp, 'nope.yaml')]);
  assert.is(missing.code, 2);
  assert.match(missing.err, /nope\.yaml: cannot read the config file: no such file/);
  const syntax = join(tmp, 'syntax.yaml');
  writeFileSync(syntax, 'api: [\n');
  const s = await cli(['status'], { env: { LATTICE_CONFIG: syntax } });
  assert.is(s.code, 2);
  assert.match(s.err, /syntax\.yaml:\d+:\d+: /);
});

test('config prints the merged config with secrets masked', async () => {
  const file = join(tmp, 'good.yaml');
  writeFileSync(file, 'api:\n  host: 0.0.0.0\nmqtt:\n  url: mqtt://broker\n  password: hunter2\n');
  const r = await cli(['config', '--json', '--config', file, '--ip-peer', 'relay-b:9400'], { env: { LATTICE_API_TOKEN: 'secret-token-1234567890' } });
  assert.is(r.code, 0, r.err);
  const c = JSON.parse(r.out) as Config;
  assert.is(c.configFile, file);
  assert.is(c.api.token, '********');
  assert.is(c.mqtt[0]!.password, '********');
  assert.equal(c.ip.peers, [{ host: 'relay-b', port: 9400 }]);
  assert.is(c.sim.enabled, false);
  assert.not.match(r.out, /hunter2|secret-token/);
  const yaml = await cli(['config', '--no-sim']);
  assert.match(yaml.out, /^sim:\n  enabled: false$/m);
});

test('a YAML alias bomb: exit 2 and one `path: message` line, no stack trace', async () => {
  const file = join(tmp, 'bomb.yaml');
  const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
  for (const [k, prev] of [['b', 'a'], ['c', 'b'], ['d', 'c'], ['e', 'd'], ['f', 'e']]) lines.push(`${k}: &${k} [${Array(9).fill(`*${prev}`).join(', ')}]`);
  writeFileSync(file, lines.join('\n'));
  const r = await cli(['config', '--config', file]);
  assert.is(r.code, 2, r.err);
  assert.equal(r.err.trimEnd().split('\n').length, 1, r.err);
  assert.match(r.err, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: .*aliases`));
  assert.not.match(r.err, /\n\s+at /);
});

test('an invalid address, token or broker URL fails at parse time, secrets not echoed', async () => {
  let r = await cli(['config'], { env: { LATTICE_IP_LISTEN: '300.1.1.1:9333' } });
  assert.is(r.code, 2);
  assert.match(r.err, /^LATTICE_IP_LISTEN \(ip\.listen\): "300\.1\.1\.1" is not a valid IPv4 address/);
  r = await cli(['config'], { env: { LATTICE_API_TOKEN: 'secret token with spaces!!', LATTICE_MQTT_URL: 'mqtt://me:hunter2@bad host' } });
  assert.is(r.code, 2);
  assert.match(r.err, /^LATTICE_API_TOKEN \(api\.token\): /m);
  assert.match(r.err, /^LATTICE_MQTT_URL \(mqtt\.url\): /m);
  assert.not.match(r.err, /secret token|hunter2/);
});

test('config masks the password of a URL too', async () => {
  const env = { LATTICE_MQTT_URL: 'mqtt://user:pw123@broker.lan:1883' };
  let r = await cli(['config', '--json'], { env });
  assert.is(r.code, 0, r.err);
  assert.is(JSON.parse(r.out).mqtt[0].url, 'mqtt://user:********@broker.lan:1883');
  r = await cli(['config'], { env });
  assert.match(r.out, /url: mqtt:\/\/user:\*{8}@broker\.lan:1883/);
  assert.not.match(r.out, /pw123/);
});

test('an unknown flag does not hide the other problems: all of them at once, exit 2', async () => {
  const r = await cli(['run', '--bogus', '--api', '300.1.1.1:80', '--ip-peer', 'x:0', '--zzz=1', '--no-sim=yes', 'extra'], { env: { LATTICE_DISCOVER: 'no' } });
  assert.is(r.code, 2);
  assert.equal(r.err.trimEnd().split('\n'), [
    'lattice: unknown option --bogus',
    'lattice: unknown option --zzz',
    'lattice: --no-sim takes no value',
    'lattice: run takes no arguments (got "extra")',
    'LATTICE_DISCOVER: unknown environment variable; did you mean "LATTICE_DISCOVERY"?',
    '--api (api): "300.1.1.1" is not a valid IPv4 address (four numbers 0..255)',
    '--ip-peer (ip.peers[0]): port 0 is out of range 1..65535',
    'Run `lattice help run` for usage.',
  ]);
  // One unknown flag alone reads as before.
  const one = await cli(['status', '--jsno']);
  assert.is(one.err, 'lattice: unknown option --jsno; did you mean "--json"?\nRun `lattice help status` for usage.\n');
});

test('send, status, inbox, trace against a relay; --json output', async () => {
  const node = new FakeRelayNode();
  const token = 'cli-test-token-0123456789';
  const server = new ApiServer({ node, host: '127.0.0.1', port: 0, token });
  await server.start();
  const env = { LATTICE_API: `127.0.0.1:${server.address()!.port}`, LATTICE_API_TOKEN: token };
  try {
    node.addPeer({ id: 'b'.repeat(64), shortId: 'peerb0000000', name: 'Rooftop B', bearers: ['ip', 'lora0'], lastSeen: Date.now() - 65_000 });
    node.addBearer({ name: 'ip', kind: 'ip', mode: 'sync', state: 'up', peers: ['b'.repeat(64)] });

    let r = await cli(['send', 'peerb0000000', 'hello', 'roof'], { env });
    assert.is(r.code, 0, r.err);
    const id = /^queued ([0-9a-f]{64})$/m.exec(r.out)![1];
    assert.equal(node.sent[0], { to: 'peerb0000000', text: 'hello roof' });

    r = await cli(['send', 'broadcast', '-', '--json', '--lifetime', '2h'], { env, stdin: 'from stdin\n' });
    assert.is(r.code, 0, r.err);
    assert.match(JSON.parse(r.out).bundleId, /^[0-9a-f]{64}$/);
    assert.equal(node.sent[1], { to: 'broadcast', text: 'from stdin', lifetimeMs: 7_200_000 });

    r = await cli(['send', 'nobody', 'hi'], { env });
    assert.is(r.code, 2);
    assert.match(r.err, /unknown recipient "nobody"/);

    r = await cli(['status'], { env });
    assert.is(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`^node id  ${node.nodeId}$`, 'm'));
    assert.match(r.out, /^outbox   2 queued, 0 accepted, 0 delivered, 0 expired$/m);
    assert.match(r.out, /^BEARER +KIND +MODE +STATE +PEERS$/m);
    assert.match(r.out, /^peerb0000000 +Rooftop B +ip,lora0 +1m 5s ago$/m);
    r = await cli(['status', '--json'], { env });
    assert.is(JSON.parse(r.out).shortId, node.shortId);

    node.setState(id, 'delivered', { bearer: 'ip', peer: 'b'.repeat(64), custody: 'peerb0000000' });
    r = await cli(['trace', id.toUpperCase()], { env });
    assert.is(r.code, 0, r.err);
    assert.match(r.out, /^state    delivered$/m);
    assert.match(r.out, /^custody  peerb0000000  \[1 hop\]$/m);
    assert.match(r.out, /^TIME +EVENT +BEARER +PEER +DETAIL$/m);
    r = await cli(['trace', '0'.repeat(64)], { env });
    assert.is(r.code, 1);
    assert.match(r.err, /no bundle 0{64}/);

    r = await cli(['inbox'], { env });
    assert.is(r.out, 'no messages\n');
    node.receive({ from: 'c'.repeat(64), fromShortId: 'peerc0000000', fromName: 'Carol', to: node.nodeId, sentAt: Date.now(), receivedAt: Date.now() - 7_200_000, text: 'old', hops: 2 });
    node.receive({ from: 'c'.repeat(64), fromShortId: 'peerc0000000', to: node.nodeId, sentAt: Date.now(), receivedAt: Date.now(), text: 'line1\nline2', hops: 1 });
    r = await cli(['inbox'], { env });
    assert.match(r.out, /^RECEIVED +FROM +HOPS +TEXT$/m);
    assert.match(r.out, /peerc0000000 \(Carol\) +2 +old$/m);
    assert.match(r.out, /line1 ⏎ line2$/m);
    r = await cli(['inbox', '--since', '1h', '--json'], { env });
    assert.equal(JSON.parse(r.out).map((e: { text: string }) => e.text), ['line1\nline2']);
    r = await cli(['inbox', '-n', '1', '--json'], { env });
    assert.equal(JSON.parse(r.out).map((e: { text: string }) => e.text), ['line1\nline2']);
    r = await cli(['inbox', '--limit', '0'], { env });
    assert.is(r.code, 2);

    r = await cli(['status'], { env: { LATTICE_API: env.LATTICE_API } });
    assert.is(r.code, 1);
    assert.match(r.err, /missing or wrong token/);
  } finally {
    await server.stop();
  }
  const port = server.address()!.port;
  const r = await cli(['status', '--api', `127.0.0.1:${port}`]);
  assert.is(r.code, 1);
  assert.is(r.err, `lattice: no relay answering at http://127.0.0.1:${port} — start one with \`lattice run\`\n`);
});

test('inbox --follow prints each new message once until Ctrl-C', async () => {
  const node = new FakeRelayNode();
  const server = new ApiServer({ node, host: '127.0.0.1', port: 0 });
  await server.start();
  const env = { LATTICE_API: `127.0.0.1:${server.address()!.port}` };
  try {
    const base = { from: 'c'.repeat(64), fromShortId: 'peerc0000000', to: node.nodeId, sentAt: 1, hops: 1 };
    node.receive({ ...base, text: 'backlog', receivedAt: 1000 });
    const io = memoryIo({ cwd: tmp, env });
    const running = runCli(['inbox', '--follow', '--json', '--interval', '100ms'], io);
    const lines = () => io.out().trim().split('\n').filter(Boolean).map((l) => JSON.parse(l).text);
    const until = async (what: string, ok: () => boolean) => {
      for (let i = 0; i < 600 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(ok(), what);
    };
    await until('backlog printed', () => lines().length === 1);
    // Two messages in the same millisecond as each other, one in the same millisecond as the backlog.
    node.receive({ ...base, text: 'same-ms-as-backlog', receivedAt: 1000 });
    node.receive({ ...base, text: 'a', receivedAt: 2000 });
    node.receive({ ...base, text: 'b', receivedAt: 2000 });
    await until('new messages printed', () => lines().length === 4);
    await new Promise((r) => setTimeout(r, 350));
    assert.equal(lines(), ['backlog', 'same-ms-as-backlog', 'a', 'b']);
    io.signal('SIGINT');
    assert.is(await running, 0);
    assert.is(io.listeners(), 0);
  } finally {
    await server.stop();
  }
});

test('keygen creates a 0600 key, shows an existing one (also as JSON), --force keeps the old one aside', async () => {
  const dir = join(tmp, 'keys');
  let r = await cli(['keygen', '--data-dir', dir, '--json']);
  assert.is(r.code, 0, r.err);
  const first = JSON.parse(r.out);
  assert.match(first.nodeId, /^[0-9a-f]{64}$/);
  assert.is(first.shortId.length, 12);
  assert.is(statSync(join(dir, 'node.key')).mode & 0o777, 0o600);
  // "create (or show)": an existing identity is shown, never replaced, and that is not a failure.
  r = await cli(['keygen', '--data-dir', dir]);
  assert.is(r.code, 0, r.err);
  assert.is(r.out, `short id  ${first.shortId}\nnode id   ${first.nodeId}\nkey file  ${join(dir, 'node.key')}\n`);
  assert.match(r.err, /already existed.*--force/);
  r = await cli(['keygen', '--data-dir', dir, '--json']);
  assert.is(r.code, 0, r.err);
  assert.equal(JSON.parse(r.out), { ...first, created: false });
  assert.is(first.created, true);
  r = await cli(['keygen', '--json'], { env: { LATTICE_DATA_DIR: dir } });
  assert.is(JSON.parse(r.out).nodeId, first.nodeId, 'LATTICE_DATA_DIR reaches keygen too');
  r = await cli(['keygen', '--data-dir', dir, '--force']);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /^short id  \w{12}\nnode id   [0-9a-f]{64}\nkey file  .*node\.key\nold key   .*node\.key\.replaced-/);
  assert.not.match(r.out, new RegExp(first.nodeId));
  assert.is(readdirSync(dir).filter((f) => f.startsWith('node.key.replaced-')).length, 1);
});

test('run: config reaches the daemon, first signal aborts cleanly, second forces exit', async () => {
  let seen: Config | undefined;
  let release!: () => void;
  const stopped = new Promise<void>((resolve) => (release = resolve));
  const fakeDaemon = async (config: Config, { signal }: { signal: AbortSignal }) => {
    seen = config;
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    // Stopping takes a while; the test's second Ctrl-C lands in here.
    await stopped;
  };
  const commands = COMMANDS.map((c) => (c.name === 'run' ? makeRunCommand(fakeDaemon) : c));
  const io = memoryIo({ cwd: tmp, env: { LATTICE_LOG_FORMAT: 'json' } });
  const running = runCli(['run', '--no-sim', '--ip-peer', 'relay-b:9400', '--meshtastic', '/dev/ttyUSB0', '--data-dir', 'state', '--log-level', 'warn'], io, commands);
  for (let i = 0; i < 100 && !seen; i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(seen, 'the daemon was called');
  assert.is(seen!.dataDir, join(tmp, 'state'));
  assert.equal(seen!.ip.peers, [{ host: 'relay-b', port: 9400 }]);
  assert.equal(seen!.meshtastic, [{ device: '/dev/ttyUSB0', name: 'meshtastic0' }]);
  assert.is(seen!.sim.enabled, false);
  assert.is(io.listeners(), 1);
  io.signal('SIGINT');
  assert.is(io.exits.length, 0);
  assert.throws(() => io.signal('SIGINT'), (e: Error) => e instanceof ExitCalled && (e as ExitCalled).code === 130);
  release();
  assert.is(await running, 0);
  assert.is(io.listeners(), 0, 'signal handlers removed');
  assert.match(io.err(), /"msg":"forced exit before a clean stop"/);

  const failing = makeRunCommand(async () => { throw Object.assign(new Error('cannot listen on 127.0.0.1:8080: address already in use'), { name: 'ListenError' }); });
  const io2 = memoryIo({ cwd: tmp, env: { LATTICE_LOG_FORMAT: 'json' } });
  assert.is(await runCli(['run', '--no-sim'], io2, [failing]), 1);
  assert.match(io2.err(), /address already in use/);
  assert.is(await runCli(['run', '--api', '0.0.0.0:8080'], memoryIo({ cwd: tmp }), [failing]), 2, 'open API without token is a config error');
});

test('run serves the API and metrics the config names; status reads them; Ctrl-C stops both', async () => {
  // The daemon's operating surface as the lead's composition root wires it: metrics, API, metrics endpoint.
  const node = new FakeRelayNode();
  const daemon = async (config: Config, { signal }: { signal: AbortSignal }) => {
    const metrics = createMetrics();
    metrics.addPeerSource(() => ({ ip: node.peers.length }));
    const api = new ApiServer({ node, host: config.api.host, port: config.api.port, token: config.api.token, metrics });
    const scrape = config.metrics.enabled ? new MetricsServer({ metrics, host: config.metrics.host, port: config.metrics.port, path: config.metrics.path }) : undefined;
    await api.start();
    await scrape?.start();
    try {
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    } finally {
      await scrape?.stop();
      await api.stop();
    }
  };
  const [apiPort, metricsPort] = await Promise.all([freePort(), freePort()]);
  const env = { LATTICE_API: `127.0.0.1:${apiPort}`, LATTICE_API_TOKEN: 'e2e-token-0123456789abc', LATTICE_LOG_FORMAT: 'json', LATTICE_LOG_LEVEL: 'warn' };
  const io = memoryIo({ cwd: tmp, env });
  const running = runCli(['run', '--no-sim', '--metrics', `127.0.0.1:${metricsPort}`], io, [makeRunCommand(daemon), ...COMMANDS.filter((c) => c.name !== 'run')]);
  let status: Awaited<ReturnType<typeof cli>> | undefined;
  for (let i = 0; i < 200; i++) {
    status = await cli(['status', '--json'], { env });
    if (status.code === 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.is(status!.code, 0, status!.err);
  assert.is(JSON.parse(status!.out).nodeId, node.nodeId);
  const scraped = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  assert.match(scraped, /^lattice_peers\{bearer="ip"\} 0$/m);
  assert.match(scraped, /^lattice_api_requests_total\{route="GET \/status",status="200"\} \d+$/m);
  io.signal('SIGTERM');
  assert.is(await running, 0);
  const after = await cli(['status'], { env });
  assert.is(after.code, 1);
  assert.match(after.err, /no relay answering/);
});

test('subcommands dispatch on their first argument (room for `lattice sim meshtastic`)', async () => {
  const ran: string[] = [];
  const leaf = (name: string) => ({
    name,
    summary: `simulate a ${name} radio`,
    options: { port: { type: 'string' as const, arg: 'PORT', help: 'TCP port' } },
    async run(ctx: { values: Record<string, unknown> }) {
      ran.push(`${name}:${String(ctx.values.port)}`);
      return 0;
    },
  });
  const table = [...COMMANDS.filter((c) => c.name !== 'sim'), { name: 'sim', summary: 'run a simulated companion radio', subcommands: [leaf('meshtastic'), leaf('meshcore')] }];
  const io = memoryIo({ cwd: tmp });
  assert.is(await runCli(['sim', 'meshcore', '--port', '5000'], io, table), 0);
  assert.equal(ran, ['meshcore:5000']);
  const help = memoryIo();
  assert.is(await runCli(['help', 'sim'], help, table), 0);
  assert.match(help.out(), /Usage: lattice sim <command>/);
  assert.match(help.out(), /^  meshtastic  simulate a meshtastic radio$/m);
  const sub = memoryIo();
  assert.is(await runCli(['help', 'sim', 'meshtastic'], sub, table), 0);
  assert.match(sub.out(), /Usage: lattice sim meshtastic \[options\]/);
  assert.match(sub.out(), /--port PORT +TCP port/);
  const bad = memoryIo();
  assert.is(await runCli(['sim', 'meshtastc'], bad, table), 2);
  assert.match(bad.err(), /did you mean "meshtastic"\?\nRun `lattice sim help` for the list\./);
  assert.is(await runCli(['sim'], memoryIo(), table), 2);
});

test.run();
