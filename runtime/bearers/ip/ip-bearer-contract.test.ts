/** The Bearer contract suite on the IP bearer: two real bearers on 127.0.0.1, each the other's static peer. */
import { createSocket } from 'node:dgram';
import { bearerSuite } from '../../bearer/testing/bearer-suite.js';
import { generateIdentity } from '../../identity/identity.js';
import { setLogSink } from '../../log/logger.js';
import { freePort } from '../../../lib/testing/free-port.js';
import { IpBearer } from './ip-bearer.js';

setLogSink(() => undefined, 'silent');

/** True while something holds UDP `port` on 127.0.0.1 (the bearer binds UDP and TCP on one port). */
function udpBound(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(true));
    s.bind({ address: '127.0.0.1', port, exclusive: true }, () => s.close(() => resolve(false)));
  });
}

bearerSuite('ip', { carries: 'frames', acks: true }, async () => {
  const [port, farPort] = [await freePort(), await freePort()];
  const make = (p: number, peer: number) => {
    const identity = generateIdentity();
    const bearer = new IpBearer({ identity, listen: { host: '127.0.0.1', port: p }, staticPeers: [`127.0.0.1:${peer}`], discovery: false, heartbeatMs: 100 });
    return { bearer, id: identity.nodeIdHex };
  };
  const a = make(port, farPort);
  const b = make(farPort, port);
  return {
    carries: 'frames', bearer: a.bearer, far: b.bearer, id: a.id, farId: b.id,
    holdsIo: () => udpBound(port),
    close: () => b.bearer.stop(),
  };
}).run();
