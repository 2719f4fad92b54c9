/**
 * Test support: nodes at seeded random positions on a MemoryAir, linked when within radio range, with an SNR that
 * falls with distance (+10 dB next to each other, −15 dB at the edge of range), so the contention window favours
 * the farther relays as it does on a real mesh. Also the hop distances (breadth-first) the checks need.
 */
import type { TimerClock } from '../../../../lib/clock/timer-clock.js';
import type { MeshRoleName } from '../role.js';
import type { MemoryAir } from './memory-air.js';
import { seededRandom } from './recording-metrics.js';
import { testNode, type TestNode } from './test-node.js';

export interface RandomMeshOptions {
  nodes: number;
  /** Side of the square area, metres. */
  sizeM: number;
  /** Nodes closer than this hear each other, metres. */
  rangeM: number;
  seed: number;
  /** One role for all, or by node index and its number of neighbours (e.g. the best-placed nodes as ROUTER). */
  role: MeshRoleName | ((index: number, neighbours: number) => MeshRoleName);
}

export interface RandomMesh {
  nodes: TestNode[];
  positions: Array<[number, number]>;
  /** neighbours[i] = indices of the nodes node i hears. */
  neighbours: number[][];
}

export function randomMesh(air: MemoryAir, clock: TimerClock, o: RandomMeshOptions): RandomMesh {
  const rnd = seededRandom(o.seed);
  const positions: Array<[number, number]> = [];
  for (let i = 0; i < o.nodes; i++) positions.push([rnd(o.sizeM), rnd(o.sizeM)]);
  const neighbours: number[][] = positions.map(() => []);
  const links: Array<[number, number, number]> = [];
  for (let i = 0; i < o.nodes; i++) {
    for (let j = i + 1; j < o.nodes; j++) {
      const d = Math.hypot(positions[i]![0] - positions[j]![0], positions[i]![1] - positions[j]![1]);
      if (d > o.rangeM) continue;
      links.push([i, j, Math.round(10 - (25 * d) / o.rangeM)]);
      neighbours[i]!.push(j);
      neighbours[j]!.push(i);
    }
  }
  const nodes = positions.map((_, i) => {
    const role = typeof o.role === 'function' ? o.role(i, neighbours[i]!.length) : o.role;
    // node numbers with distinct last bytes (relay_node / next_hop carry only that byte)
    return testNode(air, clock, `N${i}`, (((0x100 + i * 7919) << 8) | (i + 1)) >>> 0, role);
  });
  for (const [i, j, snrDb] of links) air.link(nodes[i]!.name, nodes[j]!.name, snrDb);
  return { nodes, positions, neighbours };
}

/** Hop distance from `from` to every node (Infinity when unreachable). */
export function hopDistances(neighbours: number[][], from: number): number[] {
  const dist = neighbours.map(() => Infinity);
  dist[from] = 0;
  const queue = [from];
  for (let q = queue.shift(); q !== undefined; q = queue.shift()) {
    for (const n of neighbours[q]!) {
      if (dist[n] === Infinity) {
        dist[n] = dist[q]! + 1;
        queue.push(n);
      }
    }
  }
  return dist;
}
