import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULTS } from '../../config/defaults.js';
import { generateIdentity } from '../../identity/identity.js';
import { DomainKey } from './domain-key.js';
import { ipBearerFromConfig } from './ip-from-config.js';

const identity = generateIdentity();

test('ip config: disabled gives no bearer; defaults and peers map onto options', () => {
  assert.is(ipBearerFromConfig({ ...DEFAULTS.ip, enabled: false }, { identity }), undefined);
  const b = ipBearerFromConfig({ ...DEFAULTS.ip, peers: [{ host: '192.168.1.20', port: 9333 }], discovery: false }, { identity, bearers: ['ip', 'mqtt'] })!;
  const d = b.status().detail as { staticPeers: string[]; discovery: boolean };
  assert.equal(d.staticPeers, ['192.168.1.20:9333']);
  assert.is(d.discovery, false);
  assert.is(b.name, 'ip');
  assert.throws(() => ipBearerFromConfig({ ...DEFAULTS.ip, listen: { host: '::', port: 9333 } }, { identity }), RangeError);
  assert.is((b.status().detail as { domainKey?: string }).domainKey, undefined);
  const psk = 'c0ffee'.repeat(8);
  const member = ipBearerFromConfig({ ...DEFAULTS.ip, psk }, { identity })!;
  assert.is((member.status().detail as { domainKey?: string }).domainKey, new DomainKey(psk).id);
});

test.run();
