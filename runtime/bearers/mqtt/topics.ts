/**
 * Topic layout of the MQTT bearer (TOPICS.md explains it for broker operators):
 *   <prefix>/v1/node/<nodeIdHex>/in       frames addressed to one relay (QoS 1)
 *   <prefix>/v1/broadcast                 frames for every relay: broadcast bundles, delivery blooms (QoS 1)
 *   <prefix>/v1/node/<nodeIdHex>/advert   retained signed presence advert; the LWT replaces it with "offline"
 */
export const TOPIC_VERSION = 'v1';

export interface Topics {
  inbox(nodeIdHex: string): string;
  readonly broadcast: string;
  advert(nodeIdHex: string): string;
  /** Subscription filter for every relay's advert. */
  readonly allAdverts: string;
  /** What a topic is, for the message handler. */
  parse(topic: string): { kind: 'inbox' | 'advert'; nodeIdHex: string } | { kind: 'broadcast' } | undefined;
}

const NODE_HEX = /^[0-9a-f]{64}$/;

export function topics(prefix: string): Topics {
  if (prefix === '' || /[+#\u0000]/.test(prefix) || prefix.startsWith('/') || prefix.endsWith('/')) {
    throw new RangeError(`MQTT topic prefix "${prefix}" must be non-empty, without wildcards and without leading or trailing "/"`);
  }
  const base = `${prefix}/${TOPIC_VERSION}`;
  const nodeBase = `${base}/node/`;
  return {
    inbox: (id) => `${nodeBase}${id}/in`,
    broadcast: `${base}/broadcast`,
    advert: (id) => `${nodeBase}${id}/advert`,
    allAdverts: `${nodeBase}+/advert`,
    parse(topic) {
      if (topic === `${base}/broadcast`) return { kind: 'broadcast' };
      if (!topic.startsWith(nodeBase)) return undefined;
      const rest = topic.slice(nodeBase.length).split('/');
      if (rest.length !== 2 || !NODE_HEX.test(rest[0]!)) return undefined;
      if (rest[1] === 'in') return { kind: 'inbox', nodeIdHex: rest[0]! };
      if (rest[1] === 'advert') return { kind: 'advert', nodeIdHex: rest[0]! };
      return undefined;
    },
  };
}
