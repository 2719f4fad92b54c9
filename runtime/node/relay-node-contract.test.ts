/** The RelayNode contract suite on the real node (the daemon's RelayNode over router and vault) and on the fake. */
import { setLogSink } from '../log/logger.js';
import { relayNodeSuite } from './testing/relay-node-suite.js';
import { fakeNodeRig, realNodeRig } from './testing/relay-node-rigs.js';

setLogSink(() => undefined, 'silent');

relayNodeSuite('the real node (daemon over router and vault)', realNodeRig).run();
relayNodeSuite('FakeRelayNode', fakeNodeRig).run();
