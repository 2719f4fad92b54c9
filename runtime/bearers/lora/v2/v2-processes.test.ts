/**
 * Lattice v2 between relay processes: two `lattice run --config` relays with a `lora:` radio (`hal: sim`, v2 on by
 * default) on one simulated air. A DM and a broadcast sent with `POST /send` at A land in B's inbox; A's metrics say
 * they went as v2 frames, B's status lists A as a v2 neighbour, and A's data directory holds the stamp file. Needs the
 * build (dist/).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAirServer } from '../../../../drivers/sx126x/sim/air-server.js';
import { waitFor } from '../../../../lib/testing/wait-for.js';
import { RelayProcess } from '../../../daemon/testing/relay-process.js';
import { STAMP_FILE } from './stamp-allocator.js';

async function relay(dir: string, air: number, name: string, x: number): Promise<RelayProcess> {
  const file = join(dir, 'lattice.yaml');
  await writeFile(file, ['lora:', `  - name: ${name}`, '    preset: ShortFast', '    region: EU_868', '    hal: sim', `    air: 127.0.0.1:${air}`, `    position: [${x}, 0]`, ''].join('\n'));
  return new RelayProcess({ dataDir: join(dir, 'data'), extraArgs: ['--config', file, '--no-shards'] });
}

test('relay processes: a DM and a broadcast from A reach B as Lattice v2 frames', async () => {
  const air = await startAirServer({ host: '127.0.0.1', port: 0 });
  const dirs = [await mkdtemp(join(tmpdir(), 'v2-proc-a-')), await mkdtemp(join(tmpdir(), 'v2-proc-b-'))];
  const relays: RelayProcess[] = [];
  try {
    relays.push(await relay(dirs[0]!, air.port, 'la', 0), await relay(dirs[1]!, air.port, 'lb', 700));
    // One after the other, as relays come up in the field: A's advert at start reaches a B that listens, and B's
    // answer (A's advert began after B's ended and does not list B, adverts.ts) tells A who B is. Started together,
    // both adverts go out while the other process is still starting, and they meet only at the next periodic advert.
    // A's advert is jittered (up to 2 s after its start) and the compiled relay starts in well under that: B waits
    // until A's advert went out, or both come up at once after all.
    const [a, b] = relays as [RelayProcess, RelayProcess];
    await a.start();
    await waitFor('A\'s first advert sent', async () => ((await a.get('/status')).bearers as Array<{ kind: string; detail: { counters: Record<string, number> } }>).find((x) => x.kind === 'lora')!.detail.counters['frames_out.advert']! >= 1, 10_000, 50);
    await b.start();
    const neighbours = async (r: RelayProcess) => ((await r.get('/status')).bearers as Array<{ kind: string; detail: { neighbours: Array<{ id: string; v2?: boolean }> } }>).find((x) => x.kind === 'lora')!.detail.neighbours;
    const st = async (r: RelayProcess) => JSON.stringify(((await r.get('/status')).bearers as Array<{ kind: string; detail: { counters: unknown; neighbours: unknown } }>).find((x) => x.kind === 'lora')!.detail);
    await waitFor('A and B hear each other as v2 neighbours', async () => (await neighbours(a)).some((n) => n.id === b.nodeId && n.v2) && (await neighbours(b)).some((n) => n.id === a.nodeId && n.v2), 30_000, 200)
      .catch(async (e: Error) => { throw new Error(`${e.message}; A: ${await st(a)}; B: ${await st(b)}`); });
    await a.send(b.nodeId, 'a v2 DM');
    await a.send('*', 'a v2 broadcast');
    await waitFor('both in B\'s inbox', async () => {
      const { entries } = await b.get('/inbox');
      const texts = (entries as Array<{ text: string; from: string }>).filter((e) => e.from === a.nodeId).map((e) => e.text);
      return texts.includes('a v2 DM') && texts.includes('a v2 broadcast');
    }, 60_000, 200);
    const metrics = await (await fetch(`http://127.0.0.1:${a.metricsPort}/metrics`)).text();
    let lastMetrics = '';
    // The broadcast counts once A's radio reports TxDone, which may come after B stored it.
    await waitFor('A counted both as v2', async () => {
      const metrics = await (await fetch(`http://127.0.0.1:${a.metricsPort}/metrics`)).text();
      const v2Out = metrics.split('\n').find((l) => l.startsWith('lattice_lora_bundles_out_total') && l.includes('encoding="v2"'));
      if (v2Out !== undefined && Number(v2Out.split(' ').pop()) === 2) return true;
      lastMetrics = metrics.split('\n').filter((l) => /^lattice_lora_(bundles_out|frames|discarded)/.test(l)).join('; ');
      return false;
    }, 10_000, 100).catch((err: Error) => { throw new Error(`${err.message}: ${lastMetrics}`); });
    assert.ok((await stat(join(dirs[0]!, 'data', STAMP_FILE))).size === 8, 'A keeps its stamps');
  } finally {
    await Promise.all(relays.map((r) => r.stop()));
    await air.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }
});

test.run();
