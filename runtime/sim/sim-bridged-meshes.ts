/**
 * The bridged meshes of `lattice run`'s simulated default: one simulated Meshtastic radio (firmware 2.7 behaviour,
 * firmware-protocol/meshtastic/testing) with Alice and Carol on channel 0, and one simulated MeshCore companion radio
 * (v1.17 behaviour, firmware-protocol/meshcore/testing) with Bob and Dave on the public channel. Both radios are this
 * relay's own: the real Meshtastic and MeshCore gateway bearers drive them over in-process byte links (the same
 * bytes a USB cable would carry, no PTY), and the relay's bridge joins the two meshes.
 *
 * Now and then one of the four says something on their channel, or sends the relay an addressed DM
 * (`@MC:Bob …` / `@MT:Carol …`); each thing a simulated user hears from the relay's radios is logged on one line,
 * so a newcomer sees text cross from one mesh to the other in the first minute. The pace (one line every 7 s,
 * alternating sides) stays inside the Meshtastic firmware's one-text-per-2-s client limit and the bridge's default
 * per-direction limits.
 */
import type { Bearer } from '../bearer/bearer.js';
import type { Logger } from '../log/logger.js';
import type { Components } from '../components/components.js';
import { meshtasticBearer } from '../bearers/meshtastic/create-meshtastic-bearer.js';
import { meshcoreBearer } from '../bearers/meshcore/create-meshcore-bearer.js';
import { SimDevice as MeshtasticSimDevice } from '../../firmware-protocol/meshtastic/sim/sim-device.js';
import { memoryLink } from '../../firmware-protocol/meshtastic/sim/memory-link.js';
import { SimDevice as MeshCoreSimDevice } from '../../firmware-protocol/meshcore/sim/sim-device.js';
import { SimMesh as MeshCoreSimMesh, type SimNode as MeshCoreSimNode } from '../../firmware-protocol/meshcore/sim/sim-mesh.js';
import { connectMemoryLink } from '../../firmware-protocol/meshcore/sim/memory-link.js';

export interface SimBridgedMeshesOptions {
  log: Logger;
  /** Time between two simulated user lines. Default 7 s. */
  intervalMs?: number;
  /** Delay of the first line after start. Default 3 s. */
  firstMs?: number;
}

/** Bearer names of the two simulated radios (distinct from `meshtastic0` / `meshcore0`, which configs use). */
export const SIM_MESHTASTIC_BEARER = 'meshtastic-sim';
export const SIM_MESHCORE_BEARER = 'meshcore-sim';

const ALICE = 0xa11ce001;
const CAROL = 0xca201003;
/** Logs of the simulated air are kept short: `lattice run` may run for days on a 512 MB board. */
const HISTORY = 64;

type Line =
  | { mesh: 'mt'; from: 'Alice' | 'Carol'; text: string; dm?: boolean }
  | { mesh: 'mc'; from: 'Bob' | 'Dave'; text: string; dm?: boolean };

/** The script the four users follow, round and round. DMs go to the relay's radio on the sender's own mesh. */
const SCRIPT: Line[] = [
  { mesh: 'mt', from: 'Alice', text: 'anyone up?' },
  { mesh: 'mc', from: 'Bob', text: 'morning! clear skies on the hill' },
  { mesh: 'mt', from: 'Alice', text: '@MC:Bob are you at the hut tonight?', dm: true },
  { mesh: 'mc', from: 'Dave', text: '@MT:Carol thanks for the trail report', dm: true },
  { mesh: 'mt', from: 'Carol', text: 'trail past the old mill is muddy' },
  { mesh: 'mc', from: 'Dave', text: 'repeater battery at 81 %' },
  { mesh: 'mt', from: 'Carol', text: 'rain gauge reads 4 mm' },
  { mesh: 'mc', from: 'Bob', text: 'wind is picking up from the west' },
];

export class SimBridgedMeshes {
  readonly meshtastic: MeshtasticSimDevice;
  readonly meshcore: MeshCoreSimDevice;
  readonly meshcoreMesh: MeshCoreSimMesh;
  private readonly mcUsers: Record<'Bob' | 'Dave', MeshCoreSimNode>;
  private timer?: NodeJS.Timeout;
  private first?: NodeJS.Timeout;
  private readonly offs: Array<() => void> = [];
  private count = 0;
  /** Meshtastic receptions of one packet, gathered so each packet is logged once with every user who heard it. */
  private readonly pendingMt = new Map<string, { names: string[]; text: string; channel?: number }>();

  constructor(private readonly options: SimBridgedMeshesOptions) {
    this.meshtastic = new MeshtasticSimDevice({
      nodeNum: 0x1a77ce00,
      longName: 'Lattice relay (MT)',
      shortName: 'LATR',
      nodes: [
        { num: ALICE, longName: 'Alice', shortName: 'ALI', channels: [0] },
        { num: CAROL, longName: 'Carol', shortName: 'CAR', channels: [0] },
      ],
      // One packet holds the air ~0.4 s on LongFast for a short text; the firmware's TX queue and 2-s text limit apply.
      airtimeMs: 400,
    });
    this.meshtastic.mesh.historyLimit = HISTORY;
    this.meshcore = new MeshCoreSimDevice();
    this.meshcore.persistent.prefs.nodeName = 'Lattice relay (MC)';
    this.meshcoreMesh = new MeshCoreSimMesh(this.meshcore);
    this.meshcoreMesh.historyLimit = HISTORY;
    this.mcUsers = { Bob: this.meshcoreMesh.addNode({ name: 'Bob', hops: 1 }), Dave: this.meshcoreMesh.addNode({ name: 'Dave', hops: 2 }) };
    // Adverts before the relay connects: the radio keeps them as contacts (names and keys for DMs and attribution).
    for (const n of this.meshcoreMesh.nodes) n.advert();
  }

  /** The relay's two gateway bearers, driving the simulated radios over in-process byte links; they log under the
   * simulator's namespace (`sim.<bearer>`). */
  bearers(components: Components): Bearer[] {
    const log = this.options.log;
    const own: Components = { ...components, logger: { forComponent: (name) => log.child(name) } };
    const mt = meshtasticBearer({
      name: SIM_MESHTASTIC_BEARER,
      device: 'simulated Meshtastic radio (in-process)',
      link: { transport: 'serial', opener: async () => memoryLink(this.meshtastic, 'serial', 'sim:meshtastic') },
    })(own);
    const mc = meshcoreBearer({
      name: SIM_MESHCORE_BEARER,
      device: 'simulated MeshCore radio (in-process)',
      open: async () => connectMemoryLink(this.meshcore, 'sim:meshcore'),
    })(own);
    return [mt, mc];
  }

  start(): void {
    const log = this.options.log;
    this.meshtastic.start();
    this.offs.push(this.meshtastic.mesh.onReceived((r, node) => {
      if (r.text === undefined) return;
      const key = `${r.from}:${r.id}`;
      let p = this.pendingMt.get(key);
      if (!p) {
        p = { names: [], text: r.text, ...(r.to === 0xffffffff ? { channel: r.channel } : {}) };
        this.pendingMt.set(key, p);
        const entry = p;
        queueMicrotask(() => {
          this.pendingMt.delete(key);
          const where = entry.channel === undefined ? 'as a DM' : `on channel ${entry.channel}`;
          log.info(`heard on Meshtastic by ${entry.names.join(', ')} ${where}`, { text: entry.text });
        });
      }
      p.names.push(node.longName);
    }));
    this.offs.push(this.meshcoreMesh.onHeard((h) => {
      if (h.kind === 'channel') {
        if (h.nodes.length) log.info(`heard on MeshCore by ${h.nodes.map((n) => n.name).join(', ')} on ${h.message.channelName || 'public'}`, { text: h.message.text });
      } else if (h.message.attempt === 0) {
        log.info(`heard on MeshCore by ${h.node.name} as a DM`, { text: h.message.text });
      }
    }));
    const every = this.options.intervalMs ?? 7000;
    this.first = setTimeout(() => this.say(), this.options.firstMs ?? 3000);
    this.timer = setInterval(() => this.say(), every);
    log.info('simulated meshes up', {
      meshtastic: `${SIM_MESHTASTIC_BEARER}: Alice and Carol on channel 0`,
      meshcore: `${SIM_MESHCORE_BEARER}: Bob and Dave on the public channel`,
      note: 'the relay bridges them; try a DM "@MC:Bob hi" from Alice',
    });
  }

  /** One line of the script from the next simulated user. */
  private say(): void {
    const line = SCRIPT[this.count++ % SCRIPT.length]!;
    const round = Math.floor((this.count - 1) / SCRIPT.length);
    // Later rounds number the lines, so the bridge's echo window (same content within its TTL) does not take a
    // repeated script line for a loop.
    const text = round === 0 ? line.text : `${line.text} (${round + 1})`;
    const log = this.options.log;
    if (line.mesh === 'mt') {
      const from = line.from === 'Alice' ? ALICE : CAROL;
      this.meshtastic.injectText({ from, text, ...(line.dm ? { to: this.meshtastic.myNodeNum } : { channel: 0 }) });
      log.info(`${line.from} says on Meshtastic ${line.dm ? 'to the relay' : 'channel 0'}`, { text });
    } else {
      const node = this.mcUsers[line.from];
      const took = line.dm ? node.sendDirect(text) : node.sendChannel('Public', text);
      log.info(`${line.from} says on MeshCore ${line.dm ? 'to the relay' : 'public'}`, { text, ...(took ? {} : { note: 'the radio dropped it' }) });
      // Re-advert now and then, as companions do, so the relay keeps fresh names and paths.
      if (round > 0 && this.count % SCRIPT.length === 0) for (const n of this.meshcoreMesh.nodes) n.advert();
    }
  }

  stop(): void {
    if (this.first) clearTimeout(this.first);
    if (this.timer) clearInterval(this.timer);
    for (const off of this.offs.splice(0)) off();
  }

  /** Powers the simulated radios off; the daemon calls it after the gateway bearers stopped. */
  close(): void {
    this.meshcoreMesh.stop();
    this.meshcore.powerOff();
    this.meshtastic.stop();
  }
}
