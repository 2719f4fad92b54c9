/**
 * Native MeshCore nodes in one process on a fake air (testing/mc-rig.ts), each the whole node: mesh, repeater,
 * companion device with its TCP port, the relay's gateway. Two meshcore.js apps at once on one node's companion port
 * see channel texts and DMs as an app on a companion radio would (each message once), contacts come from adverts,
 * a DM is confirmed by the recipient's ACK, an admin logs in over the air and runs a CLI command, and a flood
 * crosses a chain of 4 repeaters with its path growing one hash per hop and no repeater forwarding it twice.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodePacket, PAYLOAD_TYPE } from '../../../firmware-protocol/meshcore/ota/packet.js';
import { waitFor } from '../../../lib/testing/wait-for.js';
import type { ForeignMessage } from '../../bearer/bearer.js';
import { McApp } from './testing/mc-app.js';
import { McRig } from './testing/mc-rig.js';
import { setLogSink } from '../../log/logger.js';

setLogSink(() => undefined, 'silent');

const TXT_CLI = 1;
const keyOf = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'));

test('two apps on one companion port: contacts from adverts, channel text both ways, DMs with ACK, login and CLI', async () => {
  const rig = await McRig.create([
    { name: 'Rooftop', companion: true },
    { name: 'Hilltop', adminPassword: 'hill-admin' },
  ]);
  const apps: McApp[] = [];
  try {
    await rig.start();
    const [roof, hill] = [rig.node('Rooftop'), rig.node('Hilltop')];
    const heardAtHill: ForeignMessage[] = [];
    hill.on('foreign', (m) => heardAtHill.push(m));
    apps.push(await McApp.connect(roof.companionPort!), await McApp.connect(roof.companionPort!));
    const [app1, app2] = apps as [McApp, McApp];
    const roofKey = roof.radio().self!.publicKey!;
    const hillKey = hill.radio().self!.publicKey!;
    // SELF_INFO's key is the key that signs the node's adverts.
    assert.is(Buffer.from((await app1.conn.getSelfInfo()).publicKey).toString('hex'), roofKey);

    // Contacts from adverts: each repeater's flood advert makes it a contact of the other (auto-add, the default).
    // One after the other: two adverts at the same instant collide on the air (as they would on a real channel).
    hill.stack.advertNow(true);
    const contact = await waitFor('Hilltop in the app\'s contacts', async () => (await app1.conn.getContacts()).find((c: { publicKey: Uint8Array }) => Buffer.from(c.publicKey).toString('hex') === hillKey));
    assert.is(contact.advName, 'Hilltop');
    assert.is(contact.type, 2, 'a repeater (ADV_TYPE_REPEATER)');
    roof.stack.advertNow(true);
    await waitFor('Hilltop knows Rooftop', () => hill.radio().nodes.some((n) => n.publicKey === roofKey));

    // Channel text from the mesh reaches both apps, once each.
    const sent = await hill.sendText({ to: 'mc:ch:0', text: 'wind from the west' });
    assert.is(sent.status, 'sent');
    for (const app of [app1, app2]) await waitFor('the channel text in an app', () => app.messages.find((m) => m.kind === 'channel' && m.text === 'Hilltop: wind from the west'));
    // An app's channel text reaches the other node's relay (its gateway's inbox side).
    await app2.conn.sendChannelTextMessage(0, 'hello from the roof');
    const ch = await waitFor('the app\'s channel text at Hilltop', () => heardAtHill.find((m) => m.text?.includes('hello from the roof')));
    assert.is(ch.to, 'mc:ch:0');

    // A DM from an app, confirmed by the recipient's ACK (the code SENT reported).
    const dm = await app1.conn.sendTextMessage(keyOf(hillKey), 'are you up there?');
    await waitFor('Hilltop got the DM', () => heardAtHill.find((m) => m.direct && m.text === 'are you up there?' && m.from === `mc:${roofKey}`));
    await waitFor('SEND_CONFIRMED for the DM', () => app1.confirmed.includes(dm.expectedAckCrc));
    // A DM from the relay at Hilltop (its gateway) reaches both apps at Rooftop, once each, and is acknowledged.
    assert.is((await hill.sendText({ to: `mc:${roofKey}`, text: 'yes, all good' })).status, 'sent');
    for (const app of [app1, app2]) await waitFor('the DM in an app', () => app.messages.find((m) => m.kind === 'contact' && m.text === 'yes, all good' && m.from === hillKey.slice(0, 12)));
    await waitFor('Hilltop\'s DM confirmed', () => (hill.status().detail!.dm as { confirmations: number }).confirmations >= 1);
    assert.equal(app1.messages.filter((m) => m.text === 'yes, all good').length, 1, 'each app gets each message exactly once');

    // Remote admin over the air: a login with the admin password, then a CLI command answered as the repeater does.
    await app1.login(keyOf(hillKey), 'hill-admin');
    await app1.conn.sendTextMessage(keyOf(hillKey), 'get name', TXT_CLI);
    const reply = await waitFor('the CLI reply', () => app1.messages.find((m) => m.kind === 'contact' && m.txtType === TXT_CLI));
    assert.match(reply.text, /Hilltop/);
    const st = hill.status().detail as { loggedIn: number; counters: { loginsOk: number } };
    assert.equal([st.loggedIn, st.counters.loginsOk], [1, 1]);
  } finally {
    for (const a of apps) await a.close();
    await rig.stop();
  }
});

test('a restart keeps the key, the contacts and the channels; an app\'s new name lasts until the config\'s wins again', async () => {
  const rig = await McRig.create([{ name: 'Rooftop', companion: true }, { name: 'Hilltop' }]);
  const apps: McApp[] = [];
  try {
    await rig.start();
    const hillKey = rig.node('Hilltop').radio().self!.publicKey!;
    rig.node('Hilltop').stack.advertNow(true);
    await waitFor('Rooftop knows Hilltop', () => rig.node('Rooftop').radio().nodes.some((n) => n.publicKey === hillKey));
    const app = await McApp.connect(rig.node('Rooftop').companionPort!);
    apps.push(app);
    const before = Buffer.from((await app.conn.getSelfInfo()).publicKey).toString('hex');
    await (app.conn as unknown as { setAdvertName(n: string): Promise<void> }).setAdvertName('Renamed');
    assert.is((await app.conn.getSelfInfo()).name, 'Renamed');
    await app.close();
    // The companion saves lazily (5 s after a change, as the firmware); a stop writes at once.
    const roof = await rig.restart('Rooftop');
    const again = await McApp.connect(roof.companionPort!);
    apps.push(again);
    const self = await again.conn.getSelfInfo();
    assert.is(Buffer.from(self.publicKey).toString('hex'), before, 'the same key after a restart');
    assert.is(self.name, 'Rooftop', 'the configured name again: SELF_INFO and the adverts name one node');
    assert.ok((await again.conn.getContacts()).some((c: { publicKey: Uint8Array }) => Buffer.from(c.publicKey).toString('hex') === hillKey), 'contacts kept');
    assert.is((await again.conn.getChannel(0)).name, 'Public');
  } finally {
    for (const a of apps) await a.close();
    await rig.stop();
  }
});

test('a flood across a chain of 4 repeaters: the path grows one hash per hop, no repeater forwards it twice', async () => {
  // R0 — R1 — R2 — R3: each hears only its neighbours.
  const rig = await McRig.create(['R0', 'R1', 'R2', 'R3'].map((name) => ({ name })), (a, b) => Math.abs(a - b) <= 1);
  try {
    await rig.start();
    const heard: ForeignMessage[] = [];
    rig.node('R3').on('foreign', (m) => heard.push(m));
    // R3's raw frames, as a MeshCore MQTT observer naming R3 gets them (with R3's identity to sign its login).
    const raw: Uint8Array[] = [];
    const source = rig.node('R3').rawPacketSource();
    source.onRawPacket((p) => raw.push(p.raw));
    assert.equal(Buffer.from(source.publicKey).toString('hex'), rig.node('R3').radio().self!.publicKey);
    assert.is((await rig.node('R0').sendText({ to: 'mc:ch:0', text: 'down the valley' })).status, 'sent');
    await waitFor('R3 heard R0\'s channel text', () => heard.find((m) => m.text?.includes('down the valley')));
    // R3 forwards too (R2 drops that echo as a duplicate): wait for the fourth transmission.
    const grp = () => rig.air.log.map(([from, bytes]) => ({ from, p: decodePacket(bytes) })).filter((x) => x.p.payloadType === PAYLOAD_TYPE.GRP_TXT);
    await waitFor('four transmissions of the text', () => grp().length >= 4);
    const tx = grp();
    assert.equal(tx.map((x) => x.from), [0, 1, 2, 3], 'each node sent it once, in chain order');
    const hashes = rig.nodes.map((n) => n.radio().self!.publicKey!.slice(0, 2));
    assert.equal(tx.map((x) => Buffer.from(x.p.path).toString('hex')), ['', hashes[1], hashes[1]! + hashes[2], hashes[1]! + hashes[2] + hashes[3]]);
    // The air logs a frame when it starts; the mesh counts a forward when it is done.
    const forwarded = () => rig.nodes.map((n) => (n.status().detail!.counters as { forwarded: number }).forwarded);
    await waitFor('R3\'s forward counted', () => forwarded()[3] === 1);
    assert.equal(forwarded(), [0, 1, 1, 1]);
    assert.is(grp().length, 4);
    assert.ok(raw.some((r) => decodePacket(r).payloadType === PAYLOAD_TYPE.GRP_TXT), 'the observer got the text R3 heard');
  } finally {
    await rig.stop();
  }
});

test('the power monitor\'s battery reaches the companion app (GET_BATT_AND_STORAGE), read live', async () => {
  let milliVolts = 3870;
  const rig = await McRig.create([{ name: 'Solar', companion: true, battery: () => ({ milliVolts, percent: 62 }) }]);
  let app: McApp | undefined;
  try {
    await rig.start();
    app = await McApp.connect(rig.node('Solar').companionPort!);
    assert.is((await app.conn.getBatteryVoltage()).batteryMilliVolts, 3870);
    milliVolts = 3712;
    assert.is((await app.conn.getBatteryVoltage()).batteryMilliVolts, 3712, 'read live, not once at start');
  } finally {
    await app?.close();
    await rig.stop();
  }
});

test.run();
