/** Client commands reach the relay at `--api HOST:PORT`, `[v6]:PORT` or `http://HOST:PORT`, and say why otherwise. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';
import { memoryIo } from './testing/memory-io.js';
import { ApiServer } from '../api/api-server.js';
import { FakeRelayNode } from '../api/testing/fake-relay-node.js';
import { captureLogs } from '../log/testing/capture-logs.js';

const logs = captureLogs('warn');
let tmp = '';
test.before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'lattice-api-flag-'));
});
test.after(() => {
  logs.restore();
  rmSync(tmp, { recursive: true, force: true });
});

async function cli(argv: string[]) {
  const io = memoryIo({ cwd: tmp });
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

test('status and send through --api http://host:port, host:port and [::1]:port', async () => {
  const node = new FakeRelayNode();
  const v4 = new ApiServer({ node, host: '127.0.0.1', port: 0 });
  const v6 = new ApiServer({ node, host: '::1', port: 0 });
  await v4.start();
  await v6.start().catch(() => undefined); // a machine without IPv6 loopback skips that form
  try {
    const p4 = v4.address()!.port;
    const forms = [`http://127.0.0.1:${p4}`, `http://127.0.0.1:${p4}/`, `HTTP://localhost:${p4}`, `127.0.0.1:${p4}`];
    if (v6.address()) forms.push(`http://[::1]:${v6.address()!.port}`, `[::1]:${v6.address()!.port}`);
    for (const api of forms) {
      const r = await cli(['status', '--api', api, '--json']);
      assert.is(r.code, 0, `${api}: ${r.err}`);
      assert.is(JSON.parse(r.out).nodeId, node.nodeId, api);
    }
    const s = await cli(['send', '--api', `http://127.0.0.1:${p4}`, '*', 'hello']);
    assert.is(s.code, 0, s.err);
    assert.equal(node.sent.map((m) => m.text), ['hello']);
  } finally {
    await v4.stop();
    await v6.stop();
  }
});

test('unusable --api values exit 2 with a line that says why', async () => {
  const cases: [string, RegExp][] = [
    ['https://127.0.0.1:8080', /^--api \(api\): "https:\/\/127\.0\.0\.1:8080": the relay serves plain HTTP \(no TLS\)/],
    ['ftp://127.0.0.1:8080', /only http:\/\/ URLs/],
    ['http://127.0.0.1', /give the port, e\.g\. http:\/\/127\.0\.0\.1:8080/],
    ['http://127.0.0.1:8080/status', /without a path/],
    ['::1:8080', /put an IPv6 address in brackets/],
    ['localhost', /is not host:port/],
  ];
  for (const [api, why] of cases) {
    const r = await cli(['status', '--api', api]);
    assert.is(r.code, 2, api);
    assert.match(r.err, why, api);
  }
});

test.run();
