// DEL: from the attachment cache entry without the API; rebuilt from the API when the entry is missing
// or corrupt; loud when neither works for a corrupt entry; idempotent.
import { writeFile } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { newCacheEntry } from "../../../../src/cni/cache/entry.ts";
import { pluginError } from "../../../fakes/cni-delegates.ts";
import { CONTAINER_ID, invoke, logsAt, macvlan, nad, parsed, pod } from "./support.ts";
import type { World } from "./support.ts";
import { makeWorld } from "./support.ts";

let world: World;
beforeEach(async () => {
  world = await makeWorld();
  world.cluster.addPod(pod({ networks: "net-a@data0,net-b" }));
  world.cluster.addNad(nad("ns1", "net-a", macvlan("net-a"))).addNad(nad("ns1", "net-b", macvlan("net-b")));
});
afterEach(async () => {
  await world.cleanup();
});

const KEY = { containerID: CONTAINER_ID, ifname: "eth0" };
const ALL_DELS = ["DEL macvlan net2", "DEL macvlan data0", "DEL portmap eth0", "DEL bridge eth0"];

async function addThenForget(): Promise<void> {
  const reply = await invoke(world, "ADD");
  expect(reply.exitCode, reply.stdout).toBe(0);
  world.delegates.runs.length = 0;
  world.cluster.calls.length = 0;
}

async function corruptTheEntry(): Promise<string> {
  const file = world.cache.pathFor(KEY);
  await writeFile(file, '{"apiVersion": "netclaim.dev/v1alpha1", "kind": "AttachmentCacheEntry", "netw', {
    mode: 0o600,
  });
  return file;
}

describe("DEL from the cache entry", () => {
  it("needs no API: every network DELed last first with its ADD's config, CNI_ARGS and result", async () => {
    await addThenForget();
    const addArgs = (await world.cache.read(KEY)).kind;
    expect(addArgs).toBe("found");
    world.cluster.failWith = new Error("connect ECONNREFUSED 10.96.0.1:443");
    world.cluster.removePod("ns1", "pod-a");
    const reply = await invoke(world, "DEL");
    expect(reply).toEqual({ stdout: "", exitCode: 0 });
    expect(world.delegates.summary()).toEqual(ALL_DELS);
    expect(world.cluster.calls).toEqual([]);
    const data0 = world.delegates.runs[1];
    expect(data0?.stdin).toMatchObject({
      name: "net-a",
      master: "eth9",
      prevResult: { interfaces: [{ name: "data0" }] },
    });
    expect(data0?.cniArgs.startsWith("IgnoreUnknown=true;K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=pod-a")).toBe(
      true,
    );
    expect((await world.cache.read(KEY)).kind).toBe("missing");
  });

  it("DELs networks whose ADD never completed too, and passes an absent CNI_NETNS on as empty", async () => {
    const config = { cniVersion: "1.0.0", name: "cluster", type: "ptp" };
    await world.cache.write(
      newCacheEntry({
        containerID: CONTAINER_ID,
        netns: "/var/run/netns/gone",
        ifname: "eth0",
        pod: { namespace: "ns1", name: "pod-a", uid: "" },
        cniArgs: "",
        networks: [
          { name: "cluster", ifName: "eth0", cniArgs: "IgnoreUnknown=true", config, runtimeConfig: {} },
        ],
      }),
    );
    const reply = await invoke(world, "DEL", { netns: null });
    expect(reply.exitCode).toBe(0);
    expect(world.delegates.runs.map((r) => [r.command, r.type, r.netns])).toEqual([["DEL", "ptp", ""]]);
  });

  it("a failing DEL of a network whose ADD never completed is logged, not fatal", async () => {
    const config = { cniVersion: "1.0.0", name: "side", type: "macvlan", master: "gone0" };
    await world.cache.write(
      newCacheEntry({
        containerID: CONTAINER_ID,
        netns: "",
        ifname: "eth0",
        pod: { namespace: "ns1", name: "pod-a", uid: "" },
        cniArgs: "",
        networks: [{ name: "ns1/side", ifName: "eth0", cniArgs: "", config, runtimeConfig: {} }],
      }),
    );
    world.delegates.on({ command: "DEL" }, pluginError("macvlan", "DEL", 999, "Link not found"));
    expect((await invoke(world, "DEL")).exitCode).toBe(0);
    expect((await world.cache.read(KEY)).kind).toBe("missing");
  });

  it("keeps the entry and fails when a delegate DEL fails; the retry finishes the job", async () => {
    await addThenForget();
    world.delegates.on(
      { command: "DEL", ifName: "data0" },
      pluginError("macvlan", "DEL", 11, "netlink busy"),
      1,
    );
    const error = parsed(await invoke(world, "DEL"));
    expect({ code: error.code, msg: error.msg }).toEqual({
      code: 101,
      msg: 'pod ns1/pod-a: DEL failed; the attachment cache entry is kept for the runtime\'s retry: network "ns1/net-a" (data0): plugin macvlan failed (del): [code 11] netlink busy',
    });
    expect(world.delegates.summary()).toEqual(ALL_DELS);
    expect((await world.cache.read(KEY)).kind).toBe("found");
    world.delegates.runs.length = 0;
    expect((await invoke(world, "DEL")).exitCode).toBe(0);
    expect(world.delegates.summary()).toEqual(ALL_DELS);
    expect((await world.cache.read(KEY)).kind).toBe("missing");
  });
});

describe("DEL without a cache entry", () => {
  it("DEL twice succeeds; the second, with the API down, has nothing to do", async () => {
    await addThenForget();
    expect((await invoke(world, "DEL")).exitCode).toBe(0);
    world.delegates.runs.length = 0;
    world.cluster.failWith = new Error("connect ECONNREFUSED 10.96.0.1:443");
    expect(await invoke(world, "DEL")).toEqual({ stdout: "", exitCode: 0 });
    expect(world.delegates.runs).toEqual([]);
    expect(logsAt(world, "warn").map((l) => l.msg)).toContain(
      "no attachment cache entry and no networks from the API: nothing to DEL",
    );
  });

  it("DEL of an unknown container whose pod is gone succeeds without running anything", async () => {
    world.cluster.removePod("ns1", "pod-a");
    expect(await invoke(world, "DEL", { containerId: "never-added" })).toEqual({ stdout: "", exitCode: 0 });
    expect(world.delegates.runs).toEqual([]);
  });

  it("rebuilds the networks from the API when the pod is still there", async () => {
    expect((await invoke(world, "DEL")).exitCode).toBe(0);
    expect(world.delegates.summary()).toEqual(ALL_DELS);
    expect(world.delegates.runs[0]?.stdin.prevResult).toBeUndefined();
  });

  it("never fails on a delegate's DEL: nothing is known to be attached", async () => {
    world.delegates.on(
      { command: "DEL", ifName: "data0" },
      pluginError("macvlan", "DEL", 999, "Link not found"),
    );
    expect((await invoke(world, "DEL")).exitCode).toBe(0);
    expect(world.delegates.summary()).toEqual(ALL_DELS);
  });

  it("deletes what it can rebuild when a NAD is gone", async () => {
    world.cluster.addPod(pod({ networks: "net-a@data0,gone,net-b" }));
    expect((await invoke(world, "DEL")).exitCode).toBe(0);
    // the others keep their interface names: net-b is still net3
    expect(world.delegates.summary()).toEqual([
      "DEL macvlan net3",
      "DEL macvlan data0",
      "DEL portmap eth0",
      "DEL bridge eth0",
    ]);
  });
});

describe("DEL with a corrupt cache entry", () => {
  it("logs it and rebuilds the networks from the API, then removes the entry", async () => {
    await addThenForget();
    const file = await corruptTheEntry();
    expect((await invoke(world, "DEL")).exitCode).toBe(0);
    expect(world.delegates.summary()).toEqual(ALL_DELS);
    expect((await world.cache.read(KEY)).kind).toBe("missing");
    const errors = logsAt(world, "error");
    expect(errors.map((l) => [l.msg, l.file])).toContainEqual([
      "attachment cache entry is corrupt: rebuilding the networks from the API",
      file,
    ]);
  });

  const cases: { name: string; breakIt: (w: World) => void; why: string }[] = [
    {
      name: "the API is down",
      breakIt: (w) => {
        w.cluster.failWith = new Error("connect ECONNREFUSED 10.96.0.1:443");
      },
      why: "pod ns1/pod-a: get pod: connect ECONNREFUSED 10.96.0.1:443",
    },
    { name: "the pod is gone", breakIt: (w) => w.cluster.removePod("ns1", "pod-a"), why: "the pod is gone" },
  ];
  for (const c of cases) {
    it(`fails loudly, deleting nothing, when ${c.name}`, async () => {
      await addThenForget();
      const file = await corruptTheEntry();
      c.breakIt(world);
      const error = parsed(await invoke(world, "DEL"));
      expect(error.code).toBe(109);
      expect(error.msg).toMatch(
        new RegExp(
          `^pod ns1/pod-a: the attachment cache entry ${file} is corrupt \\(.+\\) and the networks cannot be rebuilt from the API \\(${c.why.replace(/[/.]/g, "\\$&")}\\): nothing was deleted; remove ${file} to give up on this attachment$`,
        ),
      );
      expect(world.delegates.runs).toEqual([]);
      expect((await world.cache.read(KEY)).kind).toBe("corrupt");
    });
  }

  it("fails when part of the networks cannot be rebuilt, after deleting the rest", async () => {
    await addThenForget();
    await corruptTheEntry();
    world.cluster.addPod(pod({ networks: "net-a@data0,gone" }));
    const error = parsed(await invoke(world, "DEL"));
    expect(error.code).toBe(109);
    expect(error.msg).toContain(
      'some networks cannot be rebuilt from the API (network "ns1/gone" (net2): network-attachment-definition ns1/gone not found)',
    );
    expect(world.delegates.summary()).toEqual(["DEL macvlan data0", "DEL portmap eth0", "DEL bridge eth0"]);
    expect((await world.cache.read(KEY)).kind).toBe("corrupt");
  });
});
