/**
 * A neighbourhood of LoRa bearers on emulated SX126x radios (the real driver over emulated chips on one simulated
 * air, drivers/sx126x/testing): for end-to-end tests (the router's three-relay test) and `lattice run`'s simulated
 * default. Nodes are placed in metres; with the defaults (preset `Lattice` SF9/BW125, 14 dBm, path-loss exponent 3)
 * two nodes hear each other up to ≈ 5.5 km, so nodes 3 km apart in a line reach only their neighbours.
 */
import type { BoardName } from '../../../../drivers/sx126x/boards.js';
import { createEmulatedRadios, type EmulatedRadios } from '../../../../drivers/sx126x/sim/emulated-radios.js';
import { AirtimeLedger } from '../../../airtime/airtime-ledger.js';
import type { LedgerStore } from '../../../airtime/ledger-store.js';
import type { LoraBearer, LoraBearerInit } from '../lora-bearer.js';
import { loraBearer } from '../create-lora-bearer.js';
import { defaultComponents, type Components } from '../../../components/components.js';

export interface NeighbourSpec {
  name: string;
  /** 32-byte node id (Identity.nodeId). */
  nodeId: Uint8Array;
  x: number;
  y?: number;
  /** Persist this node's ledger here (to test restarts); default in memory. */
  ledgerStore?: LedgerStore;
  /** Emulate this board (drivers/sx126x/boards.ts: chip variant, TCXO, DIO2 switch); default a plain SX1262. */
  board?: BoardName;
  /** Speak Lattice v2 (this node's identity; its nodeId must be `nodeId`). */
  v2?: LoraBearerInit['v2'];
  /** This node's components (metrics, logging, clock); default fresh ones. `lattice run`'s simulated default gives its
   * own radio the relay's components, so its counters reach /metrics. */
  components?: Components;
}

export interface LoraNeighbourhoodOptions {
  nodes: NeighbourSpec[];
  preset?: string;
  region?: string;
  txPowerDbm?: number;
  /** Chip time per wall time (default 0.01: 100× faster than real). */
  timeScale?: number;
  dutyCyclePolicy?: 'wait' | 'fail';
  listenBeforeTalk?: LoraBearerInit['listenBeforeTalk'];
  /** Periodic adverts (default 0 = only at start and on first contact). */
  advertIntervalMs?: number;
  /** Compact on-air bundles (default true). */
  compact?: boolean;
  /** Link ACKs for unicast (default on). */
  linkAck?: LoraBearerInit['linkAck'];
  /**
   * false (default): start() starts the bearers and sends one advert per node in turn (deterministic, for tests).
   * true: each bearer adverts by itself when started (jittered over 2 s of wall time, node by node) — use this when
   * something else starts the bearers (e.g. the relays of `lattice run`'s simulated default), with a periodic
   * `advertIntervalMs`.
   */
  autoAdvert?: boolean;
}

export interface LoraNeighbourhood {
  emulated: EmulatedRadios;
  bearers: LoraBearer[];
  bearer(name: string): LoraBearer;
  /** Starts every bearer, then has each send its advert in turn (TxDone before the next), twice — the second round
   * lists the neighbours each heard — so all neighbours in range know each other (and know that they are known)
   * when it resolves. A node whose duty-cycle budget is spent skips its adverts. */
  start(options?: { signal?: AbortSignal }): Promise<void>;
  /** Stops the bearers, then closes the radios. */
  stop(): Promise<void>;
}

export function createLoraNeighbourhood(o: LoraNeighbourhoodOptions): LoraNeighbourhood {
  const timeScale = o.timeScale ?? 0.01;
  const emulated = createEmulatedRadios({ nodes: o.nodes.map((n) => ({ name: n.name, x: n.x, y: n.y ?? 0, board: n.board })), timeScale });
  const bearers = o.nodes.map((n, i) => {
    const bearer = loraBearer({
      name: n.name,
      radio: emulated.node(n.name).radio,
      nodeId: n.nodeId,
      region: o.region ?? 'EU_868',
      preset: o.preset ?? 'Lattice',
      txPowerDbm: o.txPowerDbm ?? 14,
      ledger: new AirtimeLedger({ store: n.ledgerStore }),
      dutyCyclePolicy: o.dutyCyclePolicy,
      listenBeforeTalk: o.listenBeforeTalk,
      advertIntervalMs: o.advertIntervalMs ?? 0,
      compact: o.compact,
      linkAck: o.linkAck,
      timeScale,
      ...(n.v2 ? { v2: n.v2 } : {}),
      // Without autoAdvert, start() sends the adverts one after another instead, so they never collide.
      advertOnStart: o.autoAdvert ?? false,
      advertOnNewNeighbour: o.autoAdvert ?? false,
      advertJitterMs: o.autoAdvert ? 2000 : 200,
      random: () => (i + 0.5) / o.nodes.length,
    })(n.components ?? defaultComponents());
    return bearer;
  });
  return {
    emulated,
    bearers,
    bearer(name) {
      const b = bearers.find((x) => x.name === name);
      if (!b) throw new Error(`no LoRa bearer named ${name}`);
      return b;
    },
    async start(options = {}) {
      for (const b of bearers) await b.start();
      const signal = options.signal ?? AbortSignal.timeout(30_000);
      for (let round = 0; round < 2; round++) {
        for (const b of bearers) {
          await b.advertise({ signal }).catch((err: Error) => {
            if (err.name !== 'DutyCycleExceededError') throw err;
          });
        }
      }
    },
    async stop() {
      await Promise.all(bearers.map((b) => b.stop()));
      await emulated.close();
    },
  };
}
