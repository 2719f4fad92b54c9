/**
 * The RadioGateway contract suite: every promise written in runtime/bearer/radio-gateway.ts, checked on each
 * gateway against its firmware simulator (and, in the next issues, on the native stacks against the simulated air).
 * The Bearer promises of the same gateways are bearer-suite.ts's.
 *
 * Each implementation gets a `*.test.ts` handing the suite a factory for a fresh rig per test: the gateway (not
 * started), what the simulated radio is and knows, and the simulated mesh's hands and ears. The radio sits behind
 * TCP, as a Wi-Fi companion does, so another client can take it (displacement). Every wait is on a positive event.
 */
import { connect, type Socket } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ForeignMessage, PeerEvent, PeerId } from '../bearer.js';
import type { RadioGateway, RadioInfo } from '../radio-gateway.js';
import { isRadioGateway } from '../radio-gateway.js';
import { waitFor } from '../../../lib/testing/wait-for.js';

export interface RadioGatewayRig {
  /** Constructed, not started. Short reconnect and displacement back-offs, so the suite does not wait long. */
  gateway: RadioGateway;
  /** The simulated radio's own address and name on its mesh. */
  self: { address: PeerId; name: string };
  /** A usable channel of the radio, and its name as the apps show it. */
  channel: { index: number; name: string };
  /** A node the radio knows with its public key: a DM to it goes out. */
  node: { address: PeerId; name: string };
  /** A well-formed address of this mesh the radio has never heard of. */
  unknownNode: PeerId;
  /** An address of the other mesh. */
  foreignAddress: PeerId;
  /** The LoRa parameters the simulated radio reports. */
  modulation: { spreadingFactor: number; bandwidthHz: number; codingRate: number };
  /** The simulated radio's TCP port (another client connects there to take the radio). */
  tcpPort: number;
  /** Texts the mesh heard from our radio on `channel`, as the nodes show them (MeshCore: "<radio name>: text"). */
  heardOnChannel(): string[];
  /** DMs `node` received from our radio. */
  heardByNode(): string[];
  /** `node` says `text` on `channel`. */
  sayOnChannel(text: string): void;
  /** `node` sends `text` to our radio. */
  sayToUs(text: string): void;
  /** The link drops at the instant the radio puts `text` on the air, before its answer reaches the gateway. */
  dropLinkWhenSent(text: string): void;
  close(): Promise<void>;
}

interface Ctx {
  rig: RadioGatewayRig;
  gw: RadioGateway;
  peers: PeerEvent[];
  intruder?: Socket;
}

const T = 15_000;

const up = (gw: RadioGateway) => gw.radio().link.state === 'up' && gw.radio().channels.length > 0;

export function radioGatewaySuite(name: string, makeRig: () => Promise<RadioGatewayRig>) {
  const s = suite<Ctx>(`RadioGateway: ${name}`);

  s.before.each(async (ctx) => {
    ctx.rig = await makeRig();
    ctx.gw = ctx.rig.gateway;
    ctx.peers = [];
    ctx.intruder = undefined;
    ctx.gw.on('peer', (e) => ctx.peers.push(e));
  });

  s.after.each(async (ctx) => {
    ctx.intruder?.destroy();
    await ctx.gw.stop();
    await ctx.rig.close();
  });

  s('is a RadioGateway; before start the link is stopped and the view is empty', ({ gw }) => {
    assert.ok(isRadioGateway(gw));
    const r = gw.radio();
    assert.is(r.name, gw.name);
    assert.is(r.link.state, 'stopped');
    assert.equal(r.channels, []);
    assert.equal(r.nodes, []);
  });

  s('once up: self, channels, nodes with keys, modulation; plain data', async ({ gw, rig }) => {
    await gw.start();
    await waitFor('radio up', () => up(gw), T);
    const r = gw.radio();
    assert.is(r.link.state, 'up');
    assert.is(r.self?.address, rig.self.address);
    assert.is(r.self?.name, rig.self.name);
    assert.match(r.self?.publicKey ?? '', /^[0-9a-f]{64}$/);
    const ch = r.channels.find((c) => c.index === rig.channel.index);
    assert.ok(ch, 'the channel is listed');
    assert.is(ch.name, rig.channel.name);
    assert.ok(ch.usable);
    assert.is(ch.address, `${rig.self.address.slice(0, 2)}:ch:${rig.channel.index}`);
    const node = r.nodes.find((n) => n.address === rig.node.address);
    assert.ok(node, 'the node is listed');
    assert.is(node.name, rig.node.name);
    assert.match(node.publicKey ?? '', /^[0-9a-f]{64}$/);
    assert.not.ok(r.nodes.some((n) => n.address === rig.self.address), 'our own radio is not among the nodes');
    assert.is(r.modulation?.spreadingFactor, rig.modulation.spreadingFactor);
    assert.is(r.modulation?.bandwidthHz, rig.modulation.bandwidthHz);
    assert.is(r.modulation?.codingRate, rig.modulation.codingRate);
    // What the API serves: JSON and back gives the same view.
    assert.equal(JSON.parse(JSON.stringify(r)) as RadioInfo, r);
  });

  s('a text to a channel and a DM to a node go out, with the result', async ({ gw, rig }) => {
    await gw.start();
    await waitFor('radio up', () => up(gw), T);
    const ch = await gw.sendText({ to: `${rig.self.address.slice(0, 2)}:ch:${rig.channel.index}`, text: 'suite channel text' });
    assert.is(ch.status, 'sent');
    await waitFor('the channel hears it', () => rig.heardOnChannel().some((t) => t.endsWith('suite channel text')), T);
    const dm = await gw.sendText({ to: rig.node.address, text: 'suite direct text' });
    assert.is(dm.status, 'sent');
    await waitFor('the node gets it', () => rig.heardByNode().some((t) => t.endsWith('suite direct text')), T);
  });

  s('refusals are typed and nothing goes out', async ({ gw, rig }) => {
    await gw.start();
    await waitFor('radio up', () => up(gw), T);
    const before = rig.heardOnChannel().length;
    const prefix = rig.self.address.slice(0, 2);
    const cases: Array<[PeerId, string, string]> = [
      [rig.foreignAddress, 'x', 'bad-address'],
      [`${prefix}:ch:7`, 'x', 'no-channel'],
      [rig.unknownNode, 'x', 'unknown-node'],
      [`${prefix}:ch:${rig.channel.index}`, '', 'empty'],
    ];
    for (const [to, text, reason] of cases) {
      const r = await gw.sendText({ to, text });
      assert.equal(r.status === 'refused' ? r.reason : r.status, reason, `${to} ${JSON.stringify(text)}`);
    }
    // A text that did go out afterwards is the first the channel hears.
    await gw.sendText({ to: `${prefix}:ch:${rig.channel.index}`, text: 'after the refusals' });
    await waitFor('the channel hears it', () => rig.heardOnChannel().length > before, T);
    assert.ok(rig.heardOnChannel()[before]!.endsWith('after the refusals'));
  });

  s('incoming channel texts and DMs are typed foreign messages', async ({ gw, rig }) => {
    const got: ForeignMessage[] = [];
    gw.on('foreign', (m) => got.push(m));
    await gw.start();
    await waitFor('radio up', () => up(gw), T);
    rig.sayOnChannel('suite hello channel');
    const ch = await waitFor('channel text', () => got.find((m) => m.text === 'suite hello channel'), T);
    assert.is(ch.bearer, gw.name);
    assert.is(ch.direct, false);
    assert.is(ch.to, `${rig.self.address.slice(0, 2)}:ch:${rig.channel.index}`);
    rig.sayToUs('suite hello radio');
    const dm = await waitFor('DM', () => got.find((m) => m.text === 'suite hello radio'), T);
    assert.is(dm.direct, true);
    assert.is(dm.to, rig.self.address);
    assert.ok(dm.from.startsWith(rig.node.address), `${dm.from} is ${rig.node.address}`);
    assert.is(dm.fromName, rig.node.name);
  });

  s('while the link is down: refused link-down, no channels nor nodes, self kept; back up after', async ({ gw, rig }) => {
    await gw.start();
    await waitFor('radio up', () => up(gw), T);
    const channel = `${rig.self.address.slice(0, 2)}:ch:${rig.channel.index}`;
    // Seen from the first peer-down event: the link may be back before a poll would look.
    let down: { view: RadioInfo; send: Promise<unknown> } | undefined;
    gw.on('peer', (e) => {
      if (!e.up && !down) down = { view: gw.radio(), send: gw.sendText({ to: channel, text: 'while down' }) };
    });
    rig.dropLinkWhenSent('goodbye');
    await gw.sendText({ to: channel, text: 'goodbye' });
    const seen = await waitFor('link down', () => down, T);
    assert.is(seen.view.link.state, 'down');
    assert.equal(seen.view.channels, []);
    assert.equal(seen.view.nodes, []);
    assert.is(seen.view.self?.address, rig.self.address);
    assert.equal(await seen.send, { status: 'refused', reason: 'link-down' });
    await waitFor('radio up again', () => up(gw), T);
    assert.ok(gw.radio().link.reconnects >= 1);
  });

  s('a text whose answer the link lost is heard once, repeated with the same key only when refused', async ({ gw, rig }) => {
    await gw.start();
    await waitFor('radio up', () => up(gw), T);
    let downs = 0;
    gw.on('peer', (e) => { if (!e.up) downs++; });
    const text = { to: `${rig.self.address.slice(0, 2)}:ch:${rig.channel.index}`, text: 'cut off mid answer', key: Uint8Array.of(1, 2, 3), sentAt: Date.now() };
    rig.dropLinkWhenSent(text.text);
    const first = await gw.sendText(text);
    assert.ok(first.status !== 'refused' || first.reason === 'radio-error' || first.reason === 'link-down', JSON.stringify(first));
    await waitFor('the link dropped and came back', () => downs > 0 && up(gw), T);
    // What a caller such as the router does: repeat what was refused, with the same key.
    if (first.status === 'refused') assert.is((await gw.sendText(text)).status, 'sent');
    assert.is((await gw.sendText({ to: text.to, text: 'marker after the cut' })).status, 'sent');
    await waitFor('the marker is heard', () => rig.heardOnChannel().some((t) => t.endsWith('marker after the cut')), T);
    assert.is(rig.heardOnChannel().filter((t) => t.endsWith(text.text)).length, 1);
  });

  s('another client takes the radio: the link says displaced, with the back-off', async (ctx) => {
    const { gw, rig } = ctx;
    await gw.start();
    await waitFor('radio up', () => up(gw), T);
    let displaced: RadioInfo | undefined;
    gw.on('peer', (e) => { if (!e.up && !displaced) displaced = gw.radio(); });
    const intruder = (ctx.intruder = connect(rig.tcpPort, '127.0.0.1'));
    intruder.on('error', () => undefined);
    const r = await waitFor('displaced', () => displaced, T);
    assert.is(r.link.state, 'displaced');
    assert.is(r.link.displacement?.total, 1);
    assert.ok(r.link.displacement?.backingOff);
    assert.type(r.link.displacement?.retryAt, 'number');
    assert.equal(r.channels, []);
    intruder.destroy();
    await waitFor('radio up again', () => up(gw), T);
    assert.is(gw.radio().link.displacement?.backingOff, false);
  });

  s('stop: the link says stopped; a text then is refused link-down', async ({ gw, rig }) => {
    await gw.start();
    await waitFor('radio up', () => up(gw), T);
    await gw.stop();
    assert.is(gw.radio().link.state, 'stopped');
    const r = await gw.sendText({ to: `${rig.self.address.slice(0, 2)}:ch:${rig.channel.index}`, text: 'too late' });
    assert.equal(r, { status: 'refused', reason: 'link-down' });
  });

  return s;
}
