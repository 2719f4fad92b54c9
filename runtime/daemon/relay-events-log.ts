/**
 * One log line per router event (the "see it work" view of `lattice run`): bundles received, delivered, forwarded,
 * dropped. Ids are shortened to 8 hex characters and node ids to short ids, as everywhere a human reads them. A
 * foreign text is from its sender (name, else its foreign address), not from the relay that signed its bundle.
 */
import type { Logger } from '../log/logger.js';
import type { Router } from '../router/router.js';
import { shortId } from '../identity/short-id.js';

const NODE = /^[0-9a-f]{64}$/;
const who = (id: string) => (NODE.test(id) ? shortId(Buffer.from(id, 'hex')) : id);

export function logRouterEvents(router: Router, log: Logger): () => void {
  const offs = [
    router.events.on('received', (e) => {
      if (e.created && !e.bearer) return; // our own sends are logged by whoever sent them
      log.info(e.created ? 'from foreign mesh' : 'received', {
        id: e.id.slice(0, 8), from: who(e.from ?? e.sender), to: who(e.recipient), hops: e.hops, ...(e.bearer ? { bearer: e.bearer } : {}),
      });
    }),
    router.events.on('delivered', (e) => {
      if (e.via === 'inbox') {
        const v = router.bundleView(e.id);
        log.info('delivered to inbox', { id: e.id.slice(0, 8), from: v?.origin ? (v.origin.name ?? v.origin.id) : v?.senderShortId, text: v?.text, custody: v?.custody.join('>') });
      } else log.info(e.via === 'bloom' ? 'delivery confirmed by bloom' : 'delivered to next hop', { id: e.id.slice(0, 8), to: who(e.to), ...(e.bearer ? { bearer: e.bearer } : {}) });
    }),
    router.events.on('forwarded', (e) => log.info('forwarded', { id: e.id.slice(0, 8), to: who(e.peer), bearers: e.bearers.join(',') })),
    router.events.on('dropped', (e) => log.info('dropped', { reason: e.reason, ...(e.id ? { id: e.id.slice(0, 8) } : {}), ...(e.bearer ? { bearer: e.bearer } : {}), ...(e.detail ? { detail: e.detail } : {}) })),
    router.events.on('duplicate', (e) => log.debug('duplicate dropped', { id: e.id.slice(0, 8), ...(e.bearer ? { bearer: e.bearer } : {}) })),
  ];
  return () => offs.forEach((off) => off());
}
