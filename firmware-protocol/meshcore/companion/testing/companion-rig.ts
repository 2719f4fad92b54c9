/**
 * Test rig: a companion device (ChatMesh + CompanionRadio) and remote chat nodes on a FakeAir, and in-memory clients
 * that record every frame the device sends them. Tests only.
 */
import { systemClock, type Clock } from '../../../../lib/clock/clock.js';
import { identityFromSeed } from '../../ota/identity.js';
import { ADV_TYPE } from '../../ota/advert-data.js';
import { ChatMesh, type ChatApp } from '../chat-mesh.js';
import { CompanionRadio, type CompanionRadioOptions } from '../companion-radio.js';
import type { CompanionSession } from '../companion-device.js';
import { FakeAir, FakeMesh } from './fake-mesh.js';

export interface RecordingClient {
  frames: Uint8Array[];
  closed?: string;
  session: CompanionSession;
  /** Sends a command and returns the frames the device wrote to this client while handling it. */
  ask(frame: Uint8Array | number[]): Uint8Array[];
}

export function recordingClient(dev: CompanionRadio, kind = 'memory'): RecordingClient {
  const c = { frames: [] as Uint8Array[], closed: undefined as string | undefined } as RecordingClient;
  c.session = dev.attach({ send: (f) => void c.frames.push(f.slice()), close: (r) => void (c.closed = r) }, kind);
  c.ask = (frame) => {
    const n = c.frames.length;
    c.session.command(frame instanceof Uint8Array ? frame : Uint8Array.from(frame));
    return c.frames.slice(n);
  };
  return c;
}

export function remoteNode(air: FakeAir, seed: number, name: string, app: ChatApp = {}, type: number = ADV_TYPE.CHAT) {
  const id = identityFromSeed(new Uint8Array(32).fill(seed));
  const mesh = new FakeMesh(id, air);
  const chat = new ChatMesh({ mesh, app });
  mesh.setHandler(chat);
  mesh.start();
  return { id, mesh, chat, name, advert: () => mesh.sendFlood(chat.createSelfAdvert({ type, name })) };
}

export function companionRig(options: Partial<CompanionRadioOptions> & { clock?: Clock } = {}) {
  const air = new FakeAir();
  const id = identityFromSeed(new Uint8Array(32).fill(0x42));
  const mesh = new FakeMesh(id, air);
  const chat = new ChatMesh({ mesh, maxContacts: options.build?.maxContacts ?? 350, maxChannels: options.build?.maxChannels ?? 40 });
  mesh.setHandler(chat);
  mesh.start();
  const dev = new CompanionRadio({ chat, clock: options.clock ?? systemClock, batteryMilliVolts: () => 3987, ...options });
  return { air, id, mesh, chat, dev };
}
