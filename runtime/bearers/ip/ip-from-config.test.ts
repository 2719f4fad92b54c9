import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tmpdir } from 'node:os';
import { defaultComponents } from '../../components/components.js';
import { DEFAULTS } from '../../config/defaults.js';
import { generateIdentity } from '../../identity/identity.js';
import { waitFor } from '../../../lib/testing/wait-for.js';
import { MAX_BEARERS } from './datagram-codec.js';
import { DomainKey } from './domain-key.js';
import { IpBearer } from './ip-bearer.js';
import type { IpConfig } from './ip-config.js';
import { ipBearers, ipInit } from './ip-from-config.js';

const identity = generateIdentity();
const context = (bearerNames: string[] = ['ip']) => ({ identity, dataDir: tmpdir(), bearerNames });
const build = async (ip: IpConfig, names?: string[]) => (await ipBearers(ip, context(names))).bearers.map((make) => make(defaultComponents()) as IpBearer);

test('ip config: disabled gives no bearer; defaults and peers map onto options', async () => {
  assert.equal(await build({ ...DEFAULTS.ip, enabled: false }), []);
  const [b] = await build({ ...DEFAULTS.ip, peers: [{ host: '192.168.1.20', port: 9333 }], discovery: false }, ['ip', 'mqtt']);
  const d = b!.status().detail as { staticPeers: string[]; discovery: boolean };
  assert.equal(d.staticPeers, ['192.168.1.20:9333']);
  assert.is(d.discovery, false);
  assert.is(b!.name, 'ip');
  await build({ ...DEFAULTS.ip, listen: { host: '::', port: 9333 } }).then(
    () => assert.unreachable('an IPv6 listen host is refused'),
    (err: Error) => assert.instance(err, RangeError),
  );
  assert.is((b!.status().detail as { domainKey?: string }).domainKey, undefined);
  const psk = 'c0ffee'.repeat(8);
  const [member] = await build({ ...DEFAULTS.ip, psk });
  assert.is((member!.status().detail as { domainKey?: string }).domainKey, new DomainKey(psk).id);
});

test('ip config: the HELLO names every bearer the relay runs, as many as a HELLO carries', async () => {
  const many = Array.from({ length: MAX_BEARERS + 4 }, (_, i) => `lora${i}`);
  assert.equal(ipInit(DEFAULTS.ip, context(['ip', ...many])).bearers, ['ip', ...many].slice(0, MAX_BEARERS));
  const [a] = await build({ ...DEFAULTS.ip, listen: { host: '127.0.0.1', port: 0 }, discovery: false }, ['ip', 'mqtt', 'meshtastic0', 'lora0']);
  await a!.start();
  const port = (a!.status().detail as { listen: { udpPort: number } }).listen.udpPort;
  const b = new IpBearer({ identity: generateIdentity(), listen: { host: '127.0.0.1', port: 0 }, staticPeers: [`127.0.0.1:${port}`], discovery: false });
  await b.start();
  try {
    type PeerDetail = { nodeId: string; bearers?: string[] };
    const seen = () => (b.status().detail as { peers: PeerDetail[] }).peers.find((p) => p.nodeId === identity.nodeIdHex)?.bearers;
    await waitFor('b heard a HELLO from a', () => seen() !== undefined, 15_000);
    assert.equal(seen(), ['ip', 'mqtt', 'meshtastic0', 'lora0']);
  } finally {
    await b.stop();
    await a!.stop();
  }
});

test.run();
