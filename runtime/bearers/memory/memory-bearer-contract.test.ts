/** The Bearer contract suite on the in-memory bearer: sync, sync with acknowledgements, async (broker). */
import { bearerSuite, type FramesRig } from '../../bearer/testing/bearer-suite.js';
import { generateIdentity } from '../../identity/identity.js';
import { MemoryHub, type MemoryBearerOptions } from './memory-bearer.js';

function rig(options: MemoryBearerOptions): () => Promise<FramesRig> {
  return async () => {
    const id = generateIdentity().nodeIdHex;
    const farId = generateIdentity().nodeIdHex;
    const hub = new MemoryHub();
    const bearer = hub.bearer(id, options);
    const far = hub.bearer(farId, options);
    hub.link(id, farId);
    return {
      carries: 'frames', bearer, far, id, farId,
      // Its I/O is being announced on the hub: what its neighbours see of it.
      holdsIo: () => hub.peersOf(far).some((p) => p.nodeId === id && p.up),
      close: () => far.stop(),
    };
  };
}

bearerSuite('memory, sync', { carries: 'frames', acks: false }, rig({})).run();
bearerSuite('memory, sync with acks', { carries: 'frames', acks: true }, rig({ acks: true })).run();
bearerSuite('memory, async', { carries: 'frames', acks: false, sendsAtOnce: true }, rig({ mode: 'async' })).run();

bearerSuite('memory, as a fake gateway', { carries: 'foreign', acks: false, sendsAtOnce: true }, async () => {
  const hub = new MemoryHub();
  const bearer = hub.bearer(generateIdentity().nodeIdHex, { name: 'mt', foreign: ['mt:ch:'], foreignPeers: ['mt:ch:0'] });
  return {
    carries: 'foreign', bearer, peer: 'mt:ch:0', unknownPeer: 'mt:!44444444',
    heard: () => bearer.foreignOut.map((f) => new TextDecoder().decode(f.bundle!.body)),
    say: (text) => bearer.injectForeign({ from: 'mt:!22222222', to: 'mt:ch:0', direct: false, text, receivedAt: Date.now() }),
    holdsIo: () => bearer.up,
    close: async () => undefined,
  };
}).run();
