/**
 * Test support: several MeshCore nodes (createMesh + a recording handler) on one MemoryAir, with identities derived
 * from names (deterministic) and a seeded RNG, so a test reads as "A floods, Z receives" in virtual time.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../../../../lib/clock/clock.js';
import type { LoraModulation } from '../../../../lib/lora/modulation.js';
import { meshCoreModulation } from '../../../../lib/lora/meshcore-presets.js';
import { identityFromSeed, type LocalIdentity } from '../../ota/identity.js';
import { createMesh } from '../create-mesh.js';
import type { MeshCoreMesh } from '../mesh-api.js';
import type { PeerMatch } from '../mesh-handler.js';
import { MemoryAir, type MemoryRadio } from '../memory-air.js';
import { recordingHandler, type RecordingHandler, type RecordingHandlerOptions } from './recording-handler.js';

export interface TestNode {
  name: string;
  identity: LocalIdentity;
  mesh: MeshCoreMesh;
  handler: RecordingHandler;
  radio: MemoryRadio;
}

/** A small deterministic RNG in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The identity of `name`; with `firstByte`, the first one derived from `name#i` whose public key starts with it. */
export function identityFor(name: string, firstByte?: number): LocalIdentity {
  for (let i = 0; ; i++) {
    const id = identityFromSeed(new Uint8Array(createHash('sha256').update(i === 0 ? name : `${name}#${i}`).digest()));
    if (firstByte === undefined ? id.publicKey[0] !== 0x00 && id.publicKey[0] !== 0xff : id.publicKey[0] === firstByte) return id;
  }
}

export function peerOf(self: LocalIdentity, peer: LocalIdentity, ref?: unknown): PeerMatch {
  return { publicKey: peer.publicKey, secret: self.sharedSecret(peer.publicKey), ref };
}

export class TestNetwork {
  readonly air: MemoryAir;
  readonly nodes = new Map<string, TestNode>();
  private seq = 1;

  constructor(readonly clock: Clock, readonly modulation: LoraModulation = meshCoreModulation('EU_UK_NARROW'), collisions = false) {
    this.air = new MemoryAir({ clock, modulation, collisions });
  }

  add(name: string, options: RecordingHandlerOptions & { identity?: LocalIdentity } = {}): TestNode {
    const identity = options.identity ?? identityFor(name);
    const handler = recordingHandler(options);
    const radio = this.air.radio(name);
    const mesh = createMesh({ radio, identity, modulation: this.modulation, clock: this.clock, random: seededRandom(this.seq++), handler });
    const node = { name, identity, mesh, handler, radio };
    this.nodes.set(name, node);
    mesh.start();
    return node;
  }

  get(name: string): TestNode {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  async stop(): Promise<void> {
    for (const n of this.nodes.values()) await n.mesh.stop();
  }
}
