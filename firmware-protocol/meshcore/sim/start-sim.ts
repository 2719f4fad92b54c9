/**
 * startMeshCoreSim: a simulated MeshCore companion radio reachable over a real PTY (USB serial stand-in) and/or
 * TCP (the WiFi companion build's port 5000), with a small simulated mesh and fault injection. Entry point for
 * `lattice sim meshcore --pty | --tcp PORT` and for the end-to-end tests.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { SimDevice } from './sim-device.js';
import { ADV_TYPE } from '../codes.js';
import { SerialSimInterface, WifiSimInterface } from './sim-interfaces.js';
import { SimMesh, type SimNodeInit } from './sim-mesh.js';
import { openPtyPair, type PtyPair } from './pty-pair.js';
import type { SimDeviceConfig } from './sim-state.js';

/** A small default mesh for `lattice sim meshcore`: two companions and a repeater. */
export const DEFAULT_SIM_NODES: SimNodeInit[] = [
  { name: 'Alice', hops: 1 },
  { name: 'Bob', hops: 2 },
  { name: 'Hilltop Rptr', type: 2, hops: 1 },
];

export interface MeshCoreSimOptions {
  /** Serve the protocol on a PTY pair (needs socat). */
  pty?: boolean;
  /** Serve on TCP; 0 picks a free port. The firmware uses 5000. */
  tcpPort?: number;
  tcpHost?: string;
  device?: Partial<SimDeviceConfig>;
  /** Remote nodes to create; `advertise` makes each send an advert at start so the device adds it as a contact. */
  nodes?: SimNodeInit[];
  advertise?: boolean;
  /** Radio parameters to start with (kHz / Hz), e.g. a fast preset for quick ACK timeouts in tests. */
  radio?: { freqKhz?: number; bwHz?: number; sf?: number; cr?: number };
  nodeName?: string;
  /** Standalone mode: every interval a random node says something on the Public channel (and re-adverts now
   * and then), so a connected app sees live traffic. Off by default. */
  trafficIntervalMs?: number;
  signal?: AbortSignal;
}

export interface MeshCoreSim {
  device: SimDevice;
  mesh: SimMesh;
  /** The path a host opens (a stable symlink to the PTY), when `pty`. */
  ptyPath?: string;
  tcpPort?: number;
  /** The address the TCP port listens on. */
  tcpHost?: string;
  /** Writes raw bytes to the host on every link (garbage on the line). */
  injectGarbage(bytes: Uint8Array): void;
  /** Writes every radio → host frame in 2-byte pieces (serial writes; separate TCP writes). */
  setSplitFrames(on: boolean): void;
  /** Drops the host link(s): TCP client closed; PTY torn down (USB unplug) and back after `downMs`, or once
   * `until` settles (a test plugs it back when it is done with the radio away). */
  disconnect(options?: { downMs?: number; until?: Promise<unknown> }): Promise<void>;
  /** Power cycle: RAM state (offline queue, app version, ACK table) lost, links dropped, back after `downMs`. */
  reboot(options?: { downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

export async function startMeshCoreSim(options: MeshCoreSimOptions = {}): Promise<MeshCoreSim> {
  const device = new SimDevice(options.device);
  const prefs = device.persistent.prefs;
  Object.assign(prefs, options.radio ?? {});
  if (options.nodeName) prefs.nodeName = options.nodeName;
  const mesh = new SimMesh(device);
  for (const n of options.nodes ?? []) mesh.addNode(n);
  if (options.advertise ?? true) for (const n of mesh.nodes) n.advert();

  let stopped = false;
  let splitFrames = false;
  const cleanups: Array<() => Promise<void>> = [];

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
  let wifi: WifiSimInterface | undefined;
  let server: Server | undefined;
  let client: Socket | null = null;
  let tcpPort: number | undefined;
  let tcpHost: string | undefined;
  let tcpAccepting = true;
  if (options.tcpPort !== undefined) {
    const w = new WifiSimInterface();
    wifi = w;
    device.addInterface(w);
    const srv = createServer((sock) => {
      // Off or off the network: the client's connect fails (a reset here, as a refused connection), never a FIN.
      if (!tcpAccepting || device.isOff) return void sock.resetAndDestroy();
      // SerialWifiInterface: a new client disconnects the existing one, with client.stop(): a clean close (FIN).
      if (client && !client.destroyed) {
        const old = client;
        old.once('finish', () => old.destroy());
        old.end();
      }
      client = sock;
      sock.setNoDelay(true);
      w.attachClient({
        write: (b) => {
          if (sock.destroyed) return;
          if (!splitFrames) return void sock.write(b);
          for (let i = 0; i < b.length; i += 2) sock.write(b.subarray(i, i + 2));
        },
      });
      sock.on('data', (d: Buffer) => { if (client === sock) device.receive(w, new Uint8Array(d)); });
      sock.on('close', () => {
        if (client === sock) {
          client = null;
          w.attachClient(null);
        }
      });
      sock.on('error', () => undefined);
      device.kick();
    });
    server = srv;
    await new Promise<void>((res, rej) => {
      srv.once('error', rej);
      srv.listen(options.tcpPort, options.tcpHost ?? '127.0.0.1', () => res());
    });
    tcpPort = (srv.address() as { port: number }).port;
    tcpHost = (srv.address() as { address: string }).address;
    cleanups.push(async () => {
      client?.destroy();
      await new Promise<void>((res) => srv.close(() => res()));
    });
  }

  const dropLinks = async (down: number | Promise<unknown>, whileDown?: () => void) => {
    tcpAccepting = false;
    // A link that drops or a radio that reboots sends no FIN: the client sees a reset (or, in life, a timeout). On the
    // next turn of the loop: Node turns a reset right after a write into a plain close (FIN).
    const gone = client;
    if (gone && !gone.destroyed) setTimeout(() => gone.resetAndDestroy(), 0);
    client = null;
    wifi?.attachClient(null);
    if (serial) await closeSerial();
    whileDown?.();
    await (typeof down === 'number' ? new Promise((r) => setTimeout(r, down)) : down.catch(() => undefined));
    if (stopped) return;
    if (serial) await openSerial();
    tcpAccepting = true;
  };

  device.onRebootCommand = () => void sim.reboot();

  if (options.trafficIntervalMs && mesh.nodes.length > 0) {
    let n = 0;
    const timer = setInterval(() => {
      const node = mesh.nodes[n % mesh.nodes.length];
      n++;
      // Repeaters only advertise: a repeater's firmware has no channels and never posts (simple_repeater).
      if (n % 5 === 0 || node.type === ADV_TYPE.REPEATER) node.advert();
      else node.sendChannel('Public', `test message ${n} from ${node.name}`);
    }, options.trafficIntervalMs);
    timer.unref();
    cleanups.push(async () => clearInterval(timer));
  }

  const sim: MeshCoreSim = {
    device,
    mesh,
    ptyPath: pty ? pty.hostPath : undefined,
    tcpPort,
    tcpHost,
    injectGarbage(bytes) {
      if (port?.isOpen) port.write(Buffer.from(bytes));
      if (client && !client.destroyed) client.write(bytes);
    },
    setSplitFrames(on) {
      splitFrames = on;
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
      mesh.stop();
      device.powerOff();
      for (const c of cleanups.reverse()) await c();
    },
  };
  return sim;
}
