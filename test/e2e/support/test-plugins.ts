// Delegates written by the node world into a bin dir of its own (on the runtime's CNI_PATH, which the CNI
// server searches):
//   netdev-by-id  host-device for a device handed over as `deviceID` only: a device-plugin device whose ID
//                 is a host netdev name (no PCI address) is given to non-host-device delegates as
//                 deviceID/pciBusID (src/cni/correlation/handover.ts); this wrapper moves it to host-device's
//                 `device` and runs the real host-device plugin.
//   fastnet       answers ADD with an interface named CNI_IFNAME and nothing else (the pattern of
//                 test/integration/cni/support/server-burst.ts), so a burst measures netclaim, not plugins.
//
// Public API: `NETDEV_BY_ID`, `FASTNET`, `writeTestPlugins`.
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PINNED_NODE } from "../../integration/cni/support/netclaim-bin.ts";

export const NETDEV_BY_ID = "netdev-by-id";
export const FASTNET = "fastnet";

function netdevById(hostDevice: string): string {
  return `#!${PINNED_NODE}
const { spawnSync } = require("node:child_process");
const text = require("node:fs").readFileSync(0, "utf8");
const conf = text.trim() === "" ? {} : JSON.parse(text);
if (process.env.CNI_COMMAND !== "VERSION") {
  const id = conf.deviceID;
  if (typeof id === "string" && id !== "") conf.device = id;
  delete conf.deviceID;
  delete conf.pciBusID;
  if (conf.runtimeConfig) delete conf.runtimeConfig.deviceID;
}
const run = spawnSync(${JSON.stringify(hostDevice)}, [], {
  input: JSON.stringify(conf),
  stdio: ["pipe", "inherit", "inherit"],
  env: process.env,
});
process.exit(run.status === null ? 1 : run.status);
`;
}

const FASTNET_SCRIPT = `#!/bin/sh
cat >/dev/null
case "$CNI_COMMAND" in
ADD) printf '{"cniVersion":"1.0.0","interfaces":[{"name":"%s","sandbox":"%s"}],"ips":[]}' "$CNI_IFNAME" "$CNI_NETNS" ;;
VERSION) printf '{"cniVersion":"1.0.0","supportedVersions":["0.3.1","0.4.0","1.0.0"]}' ;;
esac
`;

/** Writes both plugins into `dir`; `pluginDir` holds the reference plugins (host-device). */
export async function writeTestPlugins(dir: string, pluginDir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const files: [string, string][] = [
    [NETDEV_BY_ID, netdevById(join(pluginDir, "host-device"))],
    [FASTNET, FASTNET_SCRIPT],
  ];
  for (const [name, text] of files) {
    await writeFile(join(dir, name), text);
    await chmod(join(dir, name), 0o755);
  }
}
