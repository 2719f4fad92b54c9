/**
 * MyMesh::handleCommand (examples/simple_repeater/MyMesh.cpp): the multi-line `region load` mode, leading blanks,
 * the companion's "XX|" prefix reflected back, then the repeater's own commands (setperm, get acl,
 * discover.neighbors) before CommonCLI's. Returns the reply text ('' = no reply).
 */
import { fromHex, atoi, u8, toHex } from './c-text.js';
import { handleCommonCommand } from './cli-common.js';
import type { CliHost } from './cli-host.js';
import { isRegionNameChar, REGION_DENY_FLOOD, RegionMap, type RegionEntry } from './region-map.js';

export interface RepeaterCliHost extends CliHost {
  /** The ACL changed (MyMesh: dirty_contacts_expiry, saved LAZY_CONTACTS_WRITE_DELAY later). */
  aclChanged(): void;
  sendNodeDiscoverReq(): void;
  /** Where `get acl` prints (the firmware's Serial). */
  consolePrint(line: string): void;
}

/** The state of `region load` (MyMesh load_stack / temp_map / region_load_active). */
export class RegionLoad {
  active = false;
  private temp = new RegionMap();
  private stack: (RegionEntry | null)[] = [];

  /** MyMesh::startRegionsLoad. */
  start(current: RegionMap): void {
    this.temp = new RegionMap();
    // MyMesh's temp_map is never given a home, a default or wildcard flags, and `region_map = temp_map` copies
    // them too: after a load the wildcard allows floods again and home/default are cleared, as on the device
    this.temp.resetFrom(current);
    this.stack = new Array(8).fill(null);
    this.stack[0] = this.temp.wildcard;
    this.active = true;
  }

  /** One line while loading: a blank line ends it (the new map replaces the current one). */
  line(current: RegionMap, command: string): string {
    if (/^ *$/.test(command)) {
      current.copyFrom(this.temp);
      this.active = false;
      return `OK - loaded ${current.count} regions`;
    }
    let i = 0;
    while (command[i] === ' ') i++;
    const indent = i;
    let e = i;
    while (e < command.length && isRegionNameChar(command[e])) e++;
    const name = command.slice(i, e);
    const rest = command.slice(e + 1);
    const flagF = rest.includes('F');
    if (indent > 0 && indent < 8 && name.length > 0) {
      const parent = this.stack[indent - 1];
      if (parent) {
        const old = current.findByName(name);
        const nw = this.temp.putRegion(name, parent.id, old ? old.id : 0);
        if (nw) {
          nw.flags = old ? old.flags : flagF ? 0 : REGION_DENY_FLOOD;
          this.stack[indent] = nw;
        }
      }
    }
    return '';
  }
}

export function handleRepeaterCommand(host: RepeaterCliHost, load: RegionLoad, senderTimestamp: number, input: string): string {
  if (load.active) return load.line(host.regions, input);
  let command = input.replace(/^ +/, '');
  let prefix = '';
  if (command.length > 4 && command[2] === '|') {
    prefix = command.slice(0, 3);
    command = command.slice(3);
  }
  return prefix + repeaterCommand(host, senderTimestamp, command);
}

function repeaterCommand(host: RepeaterCliHost, senderTimestamp: number, command: string): string {
  if (command.startsWith('setperm ')) {
    const args = command.slice(8);
    const sp = args.indexOf(' ');
    if (sp < 0) return 'Err - bad params';
    const hex = args.slice(0, sp);
    const hexLen = Math.min(sp, 64);
    const key = fromHex(hex, Math.trunc(hexLen / 2));
    if (!key) return 'Err - bad pubkey';
    if (!host.acl.applyPermissions(key, u8(atoi(args.slice(sp + 1))))) return 'Err - invalid params';
    host.aclChanged();
    return 'OK';
  }
  if (senderTimestamp === 0 && command === 'get acl') {
    host.consolePrint('ACL:');
    for (const c of host.acl.all()) {
      if (c.permissions === 0) continue;
      host.consolePrint(`${c.permissions.toString(16).toUpperCase().padStart(2, '0')} ${toHex(c.publicKey)}`);
    }
    return '';
  }
  if (command.startsWith('discover.neighbors')) {
    if (command.slice(18).replace(/^ +/, '') !== '') return 'Err - discover.neighbors has no options';
    host.sendNodeDiscoverReq();
    return 'OK - Discover sent';
  }
  return handleCommonCommand(host, senderTimestamp, command);
}
