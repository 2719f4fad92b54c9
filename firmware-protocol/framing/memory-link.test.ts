/** The ByteLink contract suite on the in-memory link the simulators attach to (sim/memory-link.ts). */
import { byteLinkSuite } from './testing/byte-link-suite.js';
import { createMemoryLink } from './sim/memory-link.js';

byteLinkSuite('memory link', async () => {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const link = createMemoryLink({ receive: (b) => { chunks.push(b); total += b.length; } }, 'memory:contract');
  return {
    link,
    far: {
      write: (bytes) => link.fromDevice(bytes),
      received: () => Buffer.concat(chunks, total),
      drop: () => link.drop(),
    },
    close: async () => undefined,
  };
}).run();
