// A "fake host": a netns that CNI plugins are run in, so that everything they make on the host side
// (bridges, macvlan masters, iptables rules, host ends of veths) lives there and vanishes with it. Its
// "host NICs" are veth uplinks (this kernel has no dummy links); their peers sit in a separate "switch"
// netns, or stay in the fake host itself when no switch is wanted.
import type { Cleanup } from "./cleanup.ts";
import { MAX_IFNAME_LENGTH } from "./names.ts";
import type { Netns, NetnsManager } from "./netns.ts";

export interface Uplink {
  /** The stand-in host NIC, in the fake host netns (e.g. eth1). */
  name: string;
  /** Its veth peer: in the switch netns, or in the fake host when there is no switch. */
  peer: string;
  peerNetns: Netns;
}

export interface FakeHost {
  netns: Netns;
  switchNetns?: Netns;
  uplinks: Uplink[];
}

export interface FakeHostOptions {
  netns: NetnsManager;
  cleanup: Cleanup;
  /** Run prefix for the netns names (see names.ts). */
  runPrefix: string;
  /** Uplink names in the fake host (default ["eth1"]). */
  uplinks?: readonly string[];
  /** Put the uplink peers in a "switch" netns (default true); false leaves them in the fake host. */
  withSwitch?: boolean;
}

export const PEER_SUFFIX = "-sw";

/** The peer name of an uplink when both ends stay in the fake host. Pure. */
export function danglingPeerName(uplink: string): string {
  const name = `${uplink}${PEER_SUFFIX}`;
  if (name.length > MAX_IFNAME_LENGTH) {
    throw new Error(
      `uplink name ${uplink} too long for a peer name (max ${MAX_IFNAME_LENGTH - PEER_SUFFIX.length})`,
    );
  }
  return name;
}

export async function createFakeHost(options: FakeHostOptions): Promise<FakeHost> {
  const { netns: manager, cleanup, runPrefix } = options;
  const uplinkNames = options.uplinks ?? ["eth1"];
  for (const name of uplinkNames) {
    if (name.length === 0 || name.length > MAX_IFNAME_LENGTH)
      throw new Error(`invalid uplink name ${JSON.stringify(name)}`);
  }
  const host = await manager.create(`${runPrefix}-host`);
  cleanup.add(`netns ${host.name}`, () => manager.delete(host));
  await manager.setLinkUp(host, "lo");

  let switchNetns: Netns | undefined;
  if (options.withSwitch ?? true) {
    const sw = await manager.create(`${runPrefix}-switch`);
    switchNetns = sw;
    cleanup.add(`netns ${sw.name}`, () => manager.delete(sw));
  }

  const uplinks: Uplink[] = [];
  for (const name of uplinkNames) {
    const peerNetns = switchNetns ?? host;
    const peer = switchNetns ? name : danglingPeerName(name);
    await manager.addVethPair({ netns: host, name }, { netns: peerNetns, name: peer });
    await manager.setLinkUp(host, name);
    await manager.setLinkUp(peerNetns, peer);
    uplinks.push({ name, peer, peerNetns });
  }
  return { netns: host, switchNetns, uplinks };
}
