/**
 * SimDevice, the simulated companion radio: the ONE device side (companion/companion-radio.ts over companion/chat-mesh.ts) on
 * the real mesh, on the simulator's air. What is simulated is only the board around it: serial interfaces with the
 * firmware's wire behaviour (sim-interfaces.ts: the PTY and in-memory links), power (off = deaf and mute, RAM state
 * lost at power-on), and the RTC, which starts wrong as a board without a battery-backed clock does until an app
 * sets it. Each serial interface is one client session of the device; TCP clients attach through the companion's
 * TCP server (start-sim.ts).
 */
import { randomBytes } from 'node:crypto';
import { toHex } from '../bytes.js';
import type { Contact } from '../contact-record.js';
import type { MeshCoreMesh } from '../mesh/mesh-api.js';
import { identityFromSeed, type LocalIdentity } from '../ota/identity.js';
import { ChatMesh } from '../companion/chat-mesh.js';
import type { CompanionSession } from '../companion/companion-device.js';
import { CompanionRadio } from '../companion/companion-radio.js';
import type { Session } from '../companion/companion-session.js';
import type { CompanionStore } from '../companion/companion-store.js';
import { DEFAULT_BUILD, type CompanionBuild, type NodePrefs } from '../companion/node-prefs.js';
import type { SimInterface } from './sim-interfaces.js';
import { modulationOf, type SimWorld } from './sim-world.js';
import { systemClock } from '../../../lib/clock/clock.js';
import { createMesh } from '../mesh/create-mesh.js';
import { MemoryAir } from '../mesh/memory-air.js';

/** A fixed past epoch: the RTC of a board without a backup battery starts "wrong" (the firmware's default time). */
export const SIM_RTC_START = 1715770371;

export interface SimDeviceConfig extends CompanionBuild {
  batteryMilliVolts: number;
}

/** The radio a simulated companion starts with: the EU/UK narrow preset. */
export const DEFAULT_SIM_RADIO = { freqKhz: 869618, bwHz: 62500, sf: 8, cr: 5, txPowerDbm: 20 };

export const DEFAULT_SIM_CONFIG: SimDeviceConfig = {
  ...DEFAULT_BUILD,
  manufacturer: 'Lattice MeshCore simulator',
  maxContacts: 100,
  offlineQueueSize: 16,
  privateKeyExport: true,
  batteryMilliVolts: 4120,
};

export interface SimDeviceOptions {
  /** The air, mesh factory and clock; default: a new MemoryAir of its own with the real mesh (createMesh). */
  world?: SimWorld;
  prefs?: Partial<NodePrefs>;
  seed?: Uint8Array;
  store?: CompanionStore;
  /** The device's radio name on the air. */
  radioName?: string;
}

interface Attached {
  iface: SimInterface;
  session: CompanionSession | undefined;
}

/** A world of its own for a device built alone: the system clock, a memory air, the real mesh. */
export function newSimWorld(prefs: Partial<NodePrefs> = {}): SimWorld {
  const clock = systemClock;
  const modulation = modulationOf({ ...DEFAULT_SIM_RADIO, ...prefs });
  return { clock, modulation, air: new MemoryAir({ clock, modulation }), createMesh };
}

export class SimDevice {
  readonly config: SimDeviceConfig;
  readonly world: SimWorld;
  readonly seed: Uint8Array;
  readonly identity: LocalIdentity;
  readonly mesh: MeshCoreMesh;
  readonly chat: ChatMesh;
  readonly radio: CompanionRadio;
  readonly radioName: string;
  readonly attached: Attached[] = [];
  /** Commands handled, by code (tests). */
  readonly handled = new Map<number, number>();
  /** What a CMD_REBOOT does to the host links (set by start-sim). */
  onRebootCommand?: () => void;
  private off = false;
  private rtcOffset: number;
  private loopScheduled = false;
  private readonly clock: SimWorld['clock'];

  constructor(config: Partial<SimDeviceConfig> = {}, options: SimDeviceOptions = {}) {
    this.world = options.world ?? newSimWorld(options.prefs);
    const clock = this.world.clock;
    this.clock = clock;
    this.config = { ...DEFAULT_SIM_CONFIG, ...config };
    this.seed = options.seed ?? new Uint8Array(randomBytes(32));
    this.identity = identityFromSeed(this.seed);
    this.radioName = options.radioName ?? 'device';
    this.rtcOffset = SIM_RTC_START - Math.floor(clock.now() / 1000);
    this.mesh = this.world.createMesh({
      radio: this.world.air.radio(this.radioName), identity: this.identity, modulation: this.world.modulation, clock,
      rtcSeconds: () => Math.floor(clock.now() / 1000) + this.rtcOffset,
    });
    this.chat = new ChatMesh({ mesh: this.mesh, maxContacts: this.config.maxContacts, maxChannels: this.config.maxChannels });
    this.radio = new CompanionRadio({
      chat: this.chat, clock, store: options.store, build: this.config, prefs: { ...DEFAULT_SIM_RADIO, ...options.prefs },
      batteryMilliVolts: () => this.config.batteryMilliVolts,
      setRtc: (secs) => void (this.rtcOffset = secs - Math.floor(clock.now() / 1000)),
      onReboot: () => this.onRebootCommand?.(),
      onRadioChanged: () => this.retune(),
      noiseFloorDbm: () => -120,
      metrics: { command: (code) => void this.handled.set(code, (this.handled.get(code) ?? 0) + 1) },
    });
    this.mesh.setHandler(this.chat);
    this.mesh.start();
  }

  get publicKey(): Uint8Array {
    return this.identity.publicKey;
  }

  get name(): string {
    return this.radio.prefs.nodeName;
  }

  get isOff(): boolean {
    return this.off;
  }

  /**
   * Flash: prefs, contacts, channels. Writing a radio pref here retunes the simulated air, as CMD_SET_RADIO_PARAMS
   * does (every node of the simulation shares the air's modulation: nodes on other settings would not hear it).
   */
  get persistent(): { prefs: NodePrefs; contacts: readonly Contact[]; channels: Array<{ index: number; name: string; secret: Uint8Array }> } {
    const radio = this.radio;
    const prefs = new Proxy(radio.prefs, {
      set: (target, key, value) => {
        (radio.prefs as unknown as Record<string | symbol, unknown>)[key] = value;
        this.retune();
        return true;
      },
    });
    return {
      prefs,
      contacts: radio.chat.contacts.all(),
      channels: radio.chat.channels.all().map((c) => ({ index: c.index, name: c.name, secret: c.secret.subarray(0, 16) })),
    };
  }

  /** The air follows the device's radio prefs (the shared modulation object is read at every transmission). */
  retune(): void {
    Object.assign(this.world.modulation, modulationOf(this.radio.prefs));
  }

  /** RAM of the (first) attached client's session: its protocol version, offline queue and flood-scope override. */
  get ram(): { appTargetVer: number; offlineQueue: Uint8Array[]; sendScope: Uint8Array } {
    const s = [...this.radio.sessions][0] as Session | undefined;
    return { appTargetVer: s?.appTargetVer ?? 0, offlineQueue: s?.queue ?? this.radio.backlog, sendScope: s?.sendScope ?? new Uint8Array(16) };
  }

  rtcNow(): number {
    return this.chat.rtcNow();
  }

  isConnected(): boolean {
    return this.attached.some((a) => a.iface.isConnected());
  }

  addInterface(iface: SimInterface): void {
    const a: Attached = { iface, session: undefined };
    this.attached.push(a);
    if (!this.off) this.openSession(a);
  }

  removeInterface(iface: SimInterface): void {
    const i = this.attached.findIndex((a) => a.iface === iface);
    if (i < 0) return;
    this.attached[i].session?.detach();
    this.attached.splice(i, 1);
  }

  get interfaces(): SimInterface[] {
    return this.attached.map((a) => a.iface);
  }

  private openSession(a: Attached): void {
    a.session = this.radio.attach({
      send: (f) => {
        a.iface.writeFrame(f);
        this.kick();
      },
      close: () => a.iface.reset(),
    }, a.iface.kind);
  }

  /** Bytes from the host on one interface. */
  receive(iface: SimInterface, bytes: Uint8Array): void {
    if (this.off) return;
    iface.receive(bytes);
    this.kick();
  }

  /** The firmware's loop: one command frame per interface per turn, while any has work. */
  kick(): void {
    if (this.loopScheduled || this.off) return;
    this.loopScheduled = true;
    setImmediate(() => {
      this.loopScheduled = false;
      if (this.off) return;
      for (const a of this.attached) {
        const f = a.iface.checkRecvFrame();
        if (f && f.length > 0) a.session?.command(f);
      }
      if (this.attached.some((a) => a.iface.hasWork())) this.kick();
    });
  }

  /** Power off: deaf and mute; the clients' sessions (RAM) are gone. */
  powerOff(): void {
    if (this.off) return;
    this.off = true;
    this.mesh.setHandler({});
    for (const a of this.attached) {
      a.session?.detach();
      a.session = undefined;
      a.iface.reset();
    }
    this.radio.ackTable.fill(undefined);
    this.radio.backlog = [];
  }

  powerOn(): void {
    if (!this.off) return;
    this.off = false;
    this.rtcOffset = SIM_RTC_START - Math.floor(this.clock.now() / 1000);
    this.mesh.setHandler(this.chat);
    for (const a of this.attached) {
      a.iface.reset();
      this.openSession(a);
    }
  }

  get hex(): string {
    return toHex(this.publicKey);
  }

  async stop(): Promise<void> {
    this.powerOff();
    await this.radio.stop();
    await this.mesh.stop();
  }
}
