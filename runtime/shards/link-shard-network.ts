/**
 * LinkShardNetwork: the ShardNetwork over any authenticated message link between relays, e.g. the IP bearer's
 * connections. The link moves opaque byte messages to and from node ids and says who is reachable; this class adds
 * request ids, CBOR bodies ({ id, req } / { id, res }, the same as shard-rpc.ts without its stream framing) and
 * matching of responses. Use it when the bearer already frames messages and authenticates the sender, which
 * TcpShardNetwork does not.
 */
import type { PeerInfo, ShardNetwork, ShardRequest, ShardRequestHandler, ShardResponse } from './shard-network.js';
import { Encoder } from 'cbor-x';
import { CborWriter } from './cbor-writer.js';
import { ShardRpcError } from './errors.js';

/** What the carrying bearer provides. `send` resolves false (or rejects) when the peer is not reachable. */
export interface ShardMessageLink {
  readonly self: string;
  peers(): PeerInfo[];
  send(peer: string, message: Uint8Array): Promise<boolean>;
  /** Every message that arrives for the shard store, with the sender the link authenticated. */
  onMessage(handler: (from: string, message: Uint8Array) => void): void;
}

const cbor = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });
const writer = new CborWriter();

interface Waiter {
  peer: string;
  resolve: (r: ShardResponse) => void;
  reject: (e: unknown) => void;
}

export class LinkShardNetwork implements ShardNetwork {
  readonly self: string;
  private handler: ShardRequestHandler = async () => ({ op: 'error', reason: 'no handler' });
  private readonly waiting = new Map<number, Waiter>();
  private nextId = 1;
  /** Messages that did not decode or were not shaped like a request or response. */
  discarded = 0;

  constructor(private readonly link: ShardMessageLink) {
    this.self = link.self;
    link.onMessage((from, message) => this.receive(from, message));
  }

  peers(): PeerInfo[] {
    return this.link.peers();
  }

  onRequest(handler: ShardRequestHandler): void {
    this.handler = handler;
  }

  request(peer: string, req: ShardRequest, opts: { signal?: AbortSignal } = {}): Promise<ShardResponse> {
    const { signal } = opts;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = this.nextId++;
    return new Promise<ShardResponse>((resolve, reject) => {
      const onAbort = () => { this.waiting.delete(id); reject(signal!.reason); };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      this.waiting.set(id, { peer, resolve: (r) => { done(); resolve(r); }, reject: (e) => { done(); reject(e); } });
      this.link.send(peer, writer.encode({ id, req })).then(
        (ok) => { if (!ok) this.fail(id, new ShardRpcError(peer, 'unreachable')); },
        (err: unknown) => this.fail(id, new ShardRpcError(peer, 'send failed', { cause: err })),
      );
    });
  }

  private fail(id: number, err: unknown): void {
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    w.reject(err);
  }

  private receive(from: string, message: Uint8Array): void {
    let body: Record<string, unknown>;
    try {
      const b: unknown = cbor.decode(message);
      if (typeof b !== 'object' || b === null || typeof (b as { id?: unknown }).id !== 'number') throw new Error('shape');
      body = b as Record<string, unknown>;
    } catch {
      this.discarded++;
      return;
    }
    const id = body.id as number;
    if ('res' in body) {
      const w = this.waiting.get(id);
      // Only the peer asked may answer: a response from anyone else is dropped, not matched by id alone.
      if (!w || w.peer !== from) { this.discarded++; return; }
      const res = body.res as ShardResponse;
      if (typeof res !== 'object' || res === null || typeof res.op !== 'string') { this.fail(id, new ShardRpcError(from, 'malformed response')); return; }
      this.waiting.delete(id);
      w.resolve(res);
      return;
    }
    const req = body.req as ShardRequest | undefined;
    if (typeof req !== 'object' || req === null) { this.discarded++; return; }
    this.handler(from, req).then(
      (res) => this.link.send(from, writer.encode({ id, res })),
      (err: unknown) => this.link.send(from, writer.encode({ id, res: { op: 'error', reason: String(err) } })),
    ).catch(() => {});
  }
}
