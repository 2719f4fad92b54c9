import { startAirServer } from '../drivers/sx126x/sim/air-server.js';
import { parseConfig } from './config/parse-config.js';
import { loraBearers } from './bearers/lora/lora-from-config.js';
import { generateIdentity } from './identity/identity.js';
import { defaultComponents } from './components/components.js';
import { setLogSink } from './log/logger.js';
import { mkdtempSync } from 'node:fs';
import type { McNativeNode } from './bearers/meshcore-native/mc-native-node.js';
setLogSink(() => undefined, 'silent');
const air = await startAirServer({ host: '127.0.0.1', port: 0 });
const nodes: McNativeNode[] = [];
for (const [name, x] of [['a', 0], ['b', 700]] as const) {
  const dir = mkdtempSync('/tmp/dbg-sim-');
  const c = parseConfig({ lora: [{ name, protocol: 'meshcore', freqHz: 869462500, bwHz: 125000, sf: 7, cr: 5, hal: 'sim', air: `127.0.0.1:${air.port}`, position: [x, 0], meshcore: { companion: false, name } }] }, {}, { home: dir });
  const built = await loraBearers(c.lora, { identity: generateIdentity(), dataDir: dir, bearerNames: [name] });
  const n = built.bearers[0]!(defaultComponents()) as McNativeNode;
  await n.start(); await n.gateway.whenUp();
  nodes.push(n);
}
const [a, b] = nodes as [McNativeNode, McNativeNode];
a.on('foreign', (m) => console.log('A heard', m.text));
{ const d = (b.stack as any).device; d.floodWithKey(d.selfAdvert(), d.prefs.defaultScopeKey); }
for (let i = 0; i < 8; i++) { await new Promise((r) => setTimeout(r, 500)); console.log('A', a.stack.mesh.queueLength(), JSON.stringify(a.stack.mesh.counters), 'B', b.stack.mesh.queueLength(), JSON.stringify(b.stack.mesh.counters)); }
console.log('A nodes', a.radio().nodes.length);
console.log(await b.sendText({ to: 'mc:ch:0', text: 'hello' }));
for (let i = 0; i < 10; i++) {
  await new Promise((r) => setTimeout(r, 500));
  console.log(i, 'b queue', b.stack.mesh.queueLength(), JSON.stringify(b.stack.mesh.counters));
}
for (const n of nodes) await n.stop();
await air.stop();
process.exit(0);
