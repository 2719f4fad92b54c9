/**
 * Sender attribution: bridged text is re-sent from the relay's own identity, so readers on the other mesh learn who
 * wrote it from a prefix: `MT@Alice: ` on MeshCore for Meshtastic senders, `MC@Bob: ` on Meshtastic for MeshCore
 * senders (the form users asked for, Yeraze/meshmonitor#4577). Templates are configurable; `{name}` is the
 * sender's name as the relay knows it from NodeInfo / adverts, `{id}` its address.
 */
export type MeshNet = 'mt' | 'mc';

export const DEFAULT_PREFIX: Record<MeshNet, string> = { mt: 'MT@{name}: ', mc: 'MC@{name}: ' };
const MAX_NAME_CHARS = 24;

/** Names come from the air: strip control characters and our own separators, and bound the length. */
export function cleanName(name: string | undefined, fallback: string): string {
  const clean = (s: string) => s.replace(/[\u0000-\u001f\u007f]/g, '').replace(/:/g, '').trim();
  // Without a name, show the address without its mesh prefix (`!a1b2c3d4`, or the first 12 hex digits of a key).
  const n = clean(name ?? '') || clean(fallback.replace(/^(?:mt|mc):/, '').slice(0, 12));
  return Array.from(n).slice(0, MAX_NAME_CHARS).join('');
}

export function attributionPrefix(template: string, sender: { name?: string; id: string }): string {
  return template.replaceAll('{name}', cleanName(sender.name, sender.id)).replaceAll('{id}', sender.id);
}

/** Matches text that already carries a bridge attribution (ours or another bridge's with the default form). */
const BRIDGE_TAG = /^(?:[^:\n]{1,40}: )?(?:\(\d+\/\d+\) )?(?:MT|MC)@[^:\n]{1,40}: /;

export function looksBridged(text: string, templates: string[] = Object.values(DEFAULT_PREFIX)): boolean {
  if (BRIDGE_TAG.test(text)) return true;
  // Custom templates: compare the part of the template before {name}, e.g. "[MT] ".
  for (const t of templates) {
    const head = t.split('{')[0]!;
    if (head.length >= 2 && (text.startsWith(head) || new RegExp(`^[^:\\n]{1,40}: ${escape(head)}`).test(text))) return true;
  }
  return false;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The content a human wrote, without a mesh's "name: " channel prefix, bridge tags or part markers. */
export function coreText(text: string): string {
  return text
    .replace(/^(?:[^:\n]{1,40}: )?(?:\(\d+\/\d+\) )?(?:(?:MT|MC)@[^:\n]{1,40}: )?(?:\(\d+\/\d+\) )?/, '')
    .trim()
    .toLowerCase();
}
