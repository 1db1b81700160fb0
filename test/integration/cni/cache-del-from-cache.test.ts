// DEL without the API server: an ADD of two networks (bridge + host-local on eth0, ptp + host-local on
// net1) with the attachment cache written before the first delegate runs and updated after each one;
// then everything the ADD had in memory is dropped and its config file deleted, and the DEL is run from
// nothing but the cache directory, the bin dir and an Exec. The host-local data dirs end with no
// allocation, the pod netns with only lo, the cache without the entry; a second DEL finds nothing to do.
// Also the crash case: an ADD that died after its delegate ran but before the cache was updated.
import { readFile, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { DEFAULT_PATH_ENV, commandInNetns, createRuntimeHarness } from "../../harness/runtime/index.ts";
import type { PodSandbox, RuntimeHarness } from "../../harness/runtime/index.ts";
import { describePrivileged, findCniPluginDir } from "../../harness/privileged.ts";
import { AttachmentCache } from "../../../src/cni/cache/attachment-cache.ts";
import { markNetworkAdded, newCacheEntry } from "../../../src/cni/cache/entry.ts";
import type { PlannedNetwork } from "../../../src/cni/cache/entry.ts";
import { planDelete } from "../../../src/cni/cache/plan.ts";
import { addConflist, delConflist } from "../../../src/cni/delegate/conflist.ts";
import type { JsonObject } from "../../../src/cni/delegate/json.ts";
import { toDelegateNetwork } from "../../../src/cni/delegate/plugin-config.ts";
import { PrefixedExec } from "../../../src/cni/delegate/prefixed-exec.ts";
import { DelegateRunner } from "../../../src/cni/delegate/run-delegate.ts";

const pluginDir = findCniPluginDir() ?? "/usr/lib/cni";

function runnerIn(h: RuntimeHarness): DelegateRunner {
  const { file, args } = commandInNetns(h.host.netns, [], h.netns.tools);
  return new DelegateRunner({
    exec: new PrefixedExec(h.exec, [file, ...args]),
    binDirs: [pluginDir],
    baseEnv: { PATH: DEFAULT_PATH_ENV },
  });
}

function configs(dataDir: string): { cluster: JsonObject; secondary: JsonObject } {
  return {
    cluster: {
      cniVersion: "1.0.0",
      name: "nc-cluster",
      plugins: [
        {
          type: "bridge",
          bridge: "ncbr7",
          isGateway: true,
          ipam: {
            type: "host-local",
            ranges: [[{ subnet: "10.250.7.0/24" }]],
            routes: [{ dst: "0.0.0.0/0" }],
            dataDir,
          },
        },
        { type: "tuning", capabilities: { mac: true }, sysctl: { "net.ipv4.conf.eth0.arp_notify": "1" } },
      ],
    },
    secondary: {
      cniVersion: "0.4.0",
      name: "nc-side",
      type: "ptp",
      ipam: { type: "host-local", ranges: [[{ subnet: "10.250.8.0/24" }]], dataDir },
    },
  };
}

async function allocations(dir: string): Promise<string[]> {
  const files = await readdir(dir).catch(() => [] as string[]);
  return files.filter((f) => f !== "lock" && !f.startsWith("last_reserved_ip"));
}

/** The ADD of the engine, in miniature: cache first, then each delegate, the cache updated after each. */
async function attach(
  h: RuntimeHarness,
  sandbox: PodSandbox,
  cacheDir: string,
  networks: PlannedNetwork[],
  crashAfter?: number,
) {
  const cache = new AttachmentCache(cacheDir);
  const runner = runnerIn(h);
  const { namespace, name, uid } = sandbox.config;
  let entry = newCacheEntry({
    containerID: sandbox.id,
    netns: sandbox.netns.path,
    ifname: "eth0",
    pod: { namespace, name, uid },
    cniArgs: `K8S_POD_NAMESPACE=${namespace};K8S_POD_NAME=${name};K8S_POD_UID=${uid}`,
    networks,
  });
  await cache.write(entry);
  for (const [index, network] of networks.entries()) {
    const attachment = {
      containerID: sandbox.id,
      netns: sandbox.netns.path,
      ifName: network.ifName,
      cniArgs: network.cniArgs,
    };
    const result = await addConflist(runner, {
      network: toDelegateNetwork(network.config),
      attachment,
      runtimeConfig: network.runtimeConfig,
    });
    if (index === crashAfter) return;
    entry = markNetworkAdded(entry, index, result);
    await cache.write(entry);
  }
}

/** DEL from the cache alone: a fresh cache object and runner, nothing from the ADD. */
async function detachFromCache(
  h: RuntimeHarness,
  cacheDir: string,
  key: { containerID: string; ifname: string },
): Promise<string> {
  const cache = new AttachmentCache(cacheDir);
  const read = await cache.read(key);
  if (read.kind === "missing") return "nothing cached";
  if (read.kind === "corrupt") throw read.error;
  const runner = runnerIn(h);
  for (const step of planDelete(read.entry)) {
    await delConflist(runner, {
      network: toDelegateNetwork(step.config),
      attachment: {
        containerID: step.containerID,
        netns: step.netns,
        ifName: step.ifName,
        cniArgs: step.cniArgs,
      },
      runtimeConfig: step.runtimeConfig,
      prevResult: step.prevResult,
    });
  }
  await cache.remove(key);
  return "deleted";
}

describePrivileged("attachment cache: DEL with nothing but the cache", () => {
  let harness: RuntimeHarness | undefined;
  afterEach(async () => {
    await harness?.dispose();
    harness = undefined;
  });

  it("undoes a two-network ADD from the cache entry alone, and a second DEL succeeds", async () => {
    const h = (harness = await createRuntimeHarness({ binDirs: [pluginDir] }));
    const [dataDir, cacheDir, confDir] = await Promise.all([
      h.makeDir("ipam"),
      h.makeDir("cache"),
      h.makeDir("conf"),
    ]);
    const sandbox = await h.runtime.runPodSandbox({ namespace: "ns1", name: "web", uid: "uid-web" });
    const key = { containerID: sandbox.id, ifname: "eth0" };
    const { cluster, secondary } = configs(dataDir);
    // The "NAD" lives in a file for the ADD only; it is deleted before the DEL.
    const nadFile = join(confDir, "nc-side.conf");
    await writeFile(nadFile, JSON.stringify(secondary));
    const cniArgs = `IgnoreUnknown=true;K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=${sandbox.id}`;
    await attach(h, sandbox, cacheDir, [
      {
        name: "nc-cluster",
        ifName: "eth0",
        cniArgs,
        config: cluster,
        runtimeConfig: { mac: "02:42:0a:fa:07:07" },
        default: true,
      },
      {
        name: "ns1/nc-side",
        ifName: "net1",
        cniArgs,
        config: JSON.parse(await readFile(nadFile, "utf8")) as JsonObject,
        runtimeConfig: {},
      },
    ]);
    expect((await h.podNetns.links(sandbox.netns)).map((l) => l.ifname).sort()).toEqual([
      "eth0",
      "lo",
      "net1",
    ]);
    expect(await allocations(join(dataDir, "nc-cluster"))).toHaveLength(1);
    expect(await allocations(join(dataDir, "nc-side"))).toHaveLength(1);
    const cached = await new AttachmentCache(cacheDir).read(key);
    expect(cached.kind === "found" && cached.entry.networks.map((n) => n.status)).toEqual(["added", "added"]);

    await rm(nadFile);
    expect(await detachFromCache(h, cacheDir, key)).toBe("deleted");

    expect(await allocations(join(dataDir, "nc-cluster"))).toEqual([]);
    expect(await allocations(join(dataDir, "nc-side"))).toEqual([]);
    expect((await h.podNetns.links(sandbox.netns)).map((l) => l.ifname)).toEqual(["lo"]);
    expect(await readdir(cacheDir)).toEqual([]);
    expect(await detachFromCache(h, cacheDir, key)).toBe("nothing cached");
  });

  it("undoes an ADD that crashed after its delegate ran but before the cache was updated", async () => {
    const h = (harness = await createRuntimeHarness({ binDirs: [pluginDir] }));
    const [dataDir, cacheDir] = await Promise.all([h.makeDir("ipam"), h.makeDir("cache")]);
    const sandbox = await h.runtime.runPodSandbox({ namespace: "ns1", name: "crash", uid: "uid-crash" });
    const key = { containerID: sandbox.id, ifname: "eth0" };
    const { cluster, secondary } = configs(dataDir);
    await attach(
      h,
      sandbox,
      cacheDir,
      [
        { name: "nc-cluster", ifName: "eth0", cniArgs: "", config: cluster, runtimeConfig: {} },
        { name: "ns1/nc-side", ifName: "net1", cniArgs: "", config: secondary, runtimeConfig: {} },
      ],
      0,
    );
    const cached = await new AttachmentCache(cacheDir).read(key);
    expect(cached.kind === "found" && cached.entry.networks.map((n) => n.status)).toEqual([
      "pending",
      "pending",
    ]);
    expect(await allocations(join(dataDir, "nc-cluster"))).toHaveLength(1);

    expect(await detachFromCache(h, cacheDir, key)).toBe("deleted");
    expect(await allocations(join(dataDir, "nc-cluster"))).toEqual([]);
    expect((await h.podNetns.links(sandbox.netns)).map((l) => l.ifname)).toEqual(["lo"]);
  });
});
