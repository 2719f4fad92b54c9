/**
 * startMeshCoreSim, `lattice sim meshcore` on the one device side: the companion (sim-device.ts: the
 * companion/companion-radio.ts device over companion/chat-mesh.ts on the real mesh) and a simulated mesh of remote
 * chat nodes and repeaters (sim-mesh.ts) on an in-memory air (mesh/memory-air.ts), reachable over a PTY (the USB
 * serial stand-in) and/or the companion TCP server (companion/companion-server.ts: several clients at once, on
 * 127.0.0.1 unless told), with the fault injection the gateway tests use.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { timeOnAirMs } from '../../../lib/lora/time-on-air.js';
import { CompanionServer } from '../companion/companion-server.js';
import type { CompanionStore } from '../companion/companion-store.js';
import type { NodePrefs } from '../companion/node-prefs.js';
import { ADV_TYPE } from '../ota/advert-data.js';
import { encodePacket } from '../ota/packet.js';
import { openPtyPair, type PtyPair } from './pty-pair.js';
import { DEFAULT_SIM_RADIO, newSimWorld, SimDevice, type SimDeviceConfig } from './sim-device.js';
import { SerialSimInterface } from './sim-interfaces.js';
import { SimMesh } from './sim-mesh.js';
import type { SimNodeInit } from './sim-node.js';
import type { SimWorld } from './sim-world.js';

/** A small default mesh: a repeater, a neighbour, and a node behind the repeater. */
export const DEFAULT_SIM_NODES: SimNodeInit[] = [
  { name: 'Hilltop Rptr', type: ADV_TYPE.REPEATER, hops: 1 },
  { name: 'Alice', hops: 1 },
  { name: 'Bob', hops: 2 },
];

export interface MeshCoreSimOptions {
  /** Default: a memory air of its own, the real mesh, the system clock. */
  world?: SimWorld;
  pty?: boolean;
  /** Serve on TCP; 0 picks a free port. The firmware uses 5000. */
  tcpPort?: number;
  /** Default 127.0.0.1. */
  tcpHost?: string;
  /** TCP clients at once (default 8). */
  maxClients?: number;
  /** The firmware's WiFi companion: one TCP client, a new connection drops the old one (SerialWifiInterface). */
  tcpSingleClient?: boolean;
  device?: Partial<SimDeviceConfig>;
  /** Radio parameters to start with (kHz / Hz), e.g. a fast preset for quick ACKs in tests. */
  radio?: { freqKhz?: number; bwHz?: number; sf?: number; cr?: number };
  prefs?: Partial<NodePrefs>;
  nodeName?: string;
  store?: CompanionStore;
  nodes?: SimNodeInit[];
  /**
   * How the device knows the nodes at start: 'import' (default) hands it each node's signed advert at once, as if
   * heard before the app connected (the same onAdvertRecv as on air, no wait); 'air' has them advertise one after
   * the other over the simulated air; false: neither.
   */
  advertise?: boolean | 'import' | 'air';
  /** Standalone mode: every interval a chat node posts on Public (repeaters only re-advertise now and then). */
  trafficIntervalMs?: number;
  signal?: AbortSignal;
}

export interface MeshCoreSim {
  device: SimDevice;
  mesh: SimMesh;
  server?: CompanionServer;
  ptyPath?: string;
  tcpPort?: number;
  tcpHost?: string;
  injectGarbage(bytes: Uint8Array): void;
  setSplitFrames(on: boolean): void;
  /** The host links drop (TCP clients reset, PTY torn down) and come back after `downMs` or when `until` settles. */
  disconnect(options?: { downMs?: number; until?: Promise<unknown> }): Promise<void>;
  /** Power cycle: sessions (RAM) lost, links dropped, back after `downMs`. */
  reboot(options?: { downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

export async function startMeshCoreSim(options: MeshCoreSimOptions = {}): Promise<MeshCoreSim> {
  const prefs: Partial<NodePrefs> = { ...DEFAULT_SIM_RADIO, ...options.radio, ...options.prefs, ...(options.nodeName ? { nodeName: options.nodeName } : {}) };
  const world = options.world ?? newSimWorld(prefs);
  const device = new SimDevice(options.device, { world, prefs, store: options.store });
  await device.radio.start();
  device.retune();
  const mesh = new SimMesh(device);
  for (const n of options.nodes ?? []) mesh.addNode(n);
  let stopped = false;
  const cleanups: Array<() => Promise<void>> = [];
  const advertise = options.advertise ?? 'import';
  if (advertise === 'air') {
    // One after the other, as nodes that booted at different times: adverts sent at once would collide (a node
    // that transmits does not hear), and a repeater must be free to relay the ones behind it.
    const gap = 3 * timeOnAirMs(world.modulation, 150) + 50;
    mesh.nodes.forEach((n, i) => {
      const t = setTimeout(() => n.advert(), i * gap);
      cleanups.push(async () => clearTimeout(t));
    });
  } else if (advertise) {
    for (const n of mesh.nodes) device.chat.importContact(encodePacket(n.chat.createSelfAdvert({ type: n.type, name: n.name })));
  }

  // ---- PTY ----
  let serial: SerialSimInterface | undefined;
  let pty: PtyPair | undefined;
  let port: SerialPort | undefined;
  let dir: string | undefined;
  const openSerial = async () => {
    pty = await openPtyPair(join(dir!, 'radio'), join(dir!, 'host'), { signal: options.signal });
    const p = new SerialPort({ path: pty.radioPath, baudRate: 115200, autoOpen: false });
    await new Promise<void>((res, rej) => p.open((e) => (e ? rej(e) : res())));
    p.on('data', (d: Buffer) => device.receive(serial!, new Uint8Array(d)));
    p.on('error', () => undefined);
    port = p;
  };
  const closeSerial = async () => {
    const p = port;
    port = undefined;
    if (p?.isOpen) await new Promise<void>((res) => p.close(() => res()));
    await pty?.close();
    pty = undefined;
  };
  if (options.pty) {
    dir = await mkdtemp(join(tmpdir(), 'lattice-mcsim-'));
    serial = new SerialSimInterface({ write: (b) => { if (port?.isOpen) port.write(Buffer.from(b)); } });
    device.addInterface(serial);
    await openSerial();
    cleanups.push(async () => {
      await closeSerial();
      await rm(dir!, { recursive: true, force: true });
    });
  }

  // ---- TCP ----
  let server: CompanionServer | undefined;
  if (options.tcpPort !== undefined) {
    server = new CompanionServer({
      device: device.radio, port: options.tcpPort, host: options.tcpHost,
      maxClients: options.tcpSingleClient ? 1 : options.maxClients, displaceOldest: options.tcpSingleClient,
    });
    await server.start();
    const s = server;
    cleanups.push(() => s.stop());
  }

  const dropLinks = async (down: number | Promise<unknown>) => {
    server?.setAccepting(false);
    server?.resetClients();
    if (serial) await closeSerial();
    await (typeof down === 'number' ? new Promise((r) => setTimeout(r, down)) : down.catch(() => undefined));
    if (stopped) return;
    if (serial) await openSerial();
    server?.setAccepting(true);
  };

  if (options.trafficIntervalMs) {
    let n = 0;
    const timer = setInterval(() => {
      if (mesh.nodes.length === 0) return;
      const node = mesh.nodes[n % mesh.nodes.length];
      n++;
      // Repeaters only advertise: simple_repeater has no channels and never posts.
      if (n % 5 === 0 || node.type === ADV_TYPE.REPEATER) node.advert();
      else node.sendChannel('Public', `test message ${n} from ${node.name}`);
    }, options.trafficIntervalMs);
    timer.unref();
    cleanups.push(async () => clearInterval(timer));
  }

  const sim: MeshCoreSim = {
    device,
    mesh,
    server,
    ptyPath: pty ? (pty as PtyPair).hostPath : undefined,
    tcpPort: server?.port,
    tcpHost: server?.host,
    injectGarbage(bytes) {
      if (port?.isOpen) port.write(Buffer.from(bytes));
      server?.writeRaw(bytes);
    },
    setSplitFrames(on) {
      if (server) server.splitWrites = on;
      if (serial) serial.splitWrites = on;
    },
    disconnect: (o = {}) => dropLinks(o.until ?? o.downMs ?? 200),
    async reboot(o = {}) {
      device.powerOff();
      await dropLinks(o.downMs ?? 300);
      if (!stopped) device.powerOn();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const c of cleanups.reverse()) await c();
      await mesh.stop();
      await device.stop();
    },
  };
  device.onRebootCommand = () => void sim.reboot();
  return sim;
}
