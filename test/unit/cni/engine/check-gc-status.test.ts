// CHECK from the cache entry, GC against the runtime's valid attachments, STATUS from the readiness
// indicator file, VERSION.
import { writeFile } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pluginError } from "../../../fakes/cni-delegates.ts";
import { CONTAINER_ID, invoke, logsAt, macvlan, nad, parsed, pod } from "./support.ts";
import type { World } from "./support.ts";
import { makeWorld } from "./support.ts";

let world: World;
beforeEach(async () => {
  world = await makeWorld();
});
afterEach(async () => {
  await world.cleanup();
});

async function add(containerId = CONTAINER_ID): Promise<void> {
  const reply = await invoke(world, "ADD", { containerId });
  expect(reply.exitCode, reply.stdout).toBe(0);
}

describe("CHECK", () => {
  beforeEach(() => {
    world.cluster.addPod(pod({ networks: "net-a,net-b,net-old" }));
    world.cluster
      .addNad(nad("ns1", "net-a", macvlan("net-a")))
      .addNad(
        nad("ns1", "net-b", {
          cniVersion: "1.0.0",
          name: "net-b",
          disableCheck: true,
          plugins: [{ type: "host-device" }],
        }),
      )
      .addNad(nad("ns1", "net-old", macvlan("net-old", { cniVersion: "0.3.1" })));
  });

  it("CHECKs every network with its cached result, skipping disableCheck and pre-0.4.0 delegates", async () => {
    await add();
    world.delegates.runs.length = 0;
    world.cluster.failWith = new Error("the API is not needed");
    const reply = await invoke(world, "CHECK");
    expect(reply).toEqual({ stdout: "", exitCode: 0 });
    expect(world.delegates.summary()).toEqual([
      "CHECK bridge eth0",
      "CHECK portmap eth0",
      "CHECK macvlan net1",
    ]);
    expect(world.delegates.runs[2]?.stdin.prevResult).toMatchObject({ interfaces: [{ name: "net1" }] });
    expect(world.delegates.runs[2]?.netns).toBe("/var/run/netns/cni-test-pod");
    expect(logsAt(world, "info").map((l) => l.msg)).toContain(
      "CHECK skipped: the delegate's cniVersion predates CHECK",
    );
  });

  it("fails naming the network when a delegate's CHECK fails", async () => {
    await add();
    world.delegates.on(
      { command: "CHECK", type: "macvlan" },
      pluginError("macvlan", "CHECK", 999, "interface net1 has the wrong MAC"),
    );
    const error = parsed(await invoke(world, "CHECK"));
    expect({ code: error.code, msg: error.msg }).toEqual({
      code: 101,
      msg: 'pod ns1/pod-a: network "ns1/net-a" (net1): plugin macvlan failed (check): [code 999] interface net1 has the wrong MAC',
    });
  });

  it("answers code 3 for a container it does not know", async () => {
    const error = parsed(await invoke(world, "CHECK"));
    expect({ code: error.code, msg: error.msg }).toEqual({
      code: 3,
      msg: `pod ns1/pod-a: no attachment of container ${CONTAINER_ID} (eth0) is known`,
    });
  });

  it("fails on a corrupt entry", async () => {
    await add();
    await writeFile(world.cache.pathFor({ containerID: CONTAINER_ID, ifname: "eth0" }), "not json");
    const error = parsed(await invoke(world, "CHECK"));
    expect(error.code).toBe(109);
    expect(error.msg).toMatch(/^pod ns1\/pod-a: the attachment cache entry .+ is corrupt: /);
  });
});

describe("GC", () => {
  const KEPT = "aaaa1111";
  const STALE = "bbbb2222";
  const gcConf = (valid: { containerID: string; ifname: string }[]) => ({
    cniVersion: "1.1.0",
    "cni.dev/valid-attachments": valid,
  });

  beforeEach(() => {
    world.cluster.addPod(pod({ networks: "net-a" }));
    world.cluster.addNad(nad("ns1", "net-a", macvlan("net-a", { cniVersion: "1.1.0" })));
  });

  it("DELs and removes the attachments the runtime does not list, then GCs the delegates in use", async () => {
    await add(KEPT);
    await add(STALE);
    world.delegates.runs.length = 0;
    const reply = await invoke(world, "GC", { conf: gcConf([{ containerID: KEPT, ifname: "eth0" }]) });
    expect(reply).toEqual({ stdout: "", exitCode: 0 });
    expect(world.delegates.runsOf("DEL").map((r) => `${r.containerID} ${r.type} ${r.ifName}`)).toEqual([
      `${STALE} macvlan net1`,
      `${STALE} portmap eth0`,
      `${STALE} bridge eth0`,
    ]);
    expect((await world.cache.read({ containerID: STALE, ifname: "eth0" })).kind).toBe("missing");
    expect((await world.cache.read({ containerID: KEPT, ifname: "eth0" })).kind).toBe("found");
    // net-a (1.1.0) gets GC with the attachments that use it; the 1.0.0 cluster network gets none
    const gc = world.delegates.runsOf("GC");
    expect(gc.map((r) => r.type)).toEqual(["macvlan"]);
    expect(gc[0]?.stdin["cni.dev/valid-attachments"]).toEqual([{ containerID: KEPT, ifname: "net1" }]);
  });

  it("reports corrupt entries and leaves them; fails when a stale attachment cannot be DELed", async () => {
    await add(STALE);
    await writeFile(`${world.cacheDir}/cccc3333@eth0`, "{");
    world.delegates.on({ command: "DEL", type: "bridge" }, pluginError("bridge", "DEL", 999, "busy"));
    const error = parsed(await invoke(world, "GC", { conf: gcConf([]) }));
    expect(error.code).toBe(101);
    expect(error.msg).toBe(
      `GC: stale attachments kept because their DEL failed: ${STALE} (eth0): network "cluster" (eth0): plugin bridge failed (del): [code 999] busy`,
    );
    expect((await world.cache.read({ containerID: STALE, ifname: "eth0" })).kind).toBe("found");
    expect((await world.cache.read({ containerID: "cccc3333", ifname: "eth0" })).kind).toBe("corrupt");
    expect(logsAt(world, "error").map((l) => l.msg)).toContain(
      "GC: corrupt attachment cache entry left in place (its networks cannot be deleted)",
    );
  });
});

describe("STATUS", () => {
  const cases: {
    name: string;
    file?: string;
    present: boolean;
    want: Record<string, unknown> | undefined;
  }[] = [
    { name: "ready without a readiness indicator file", present: false, want: undefined },
    { name: "ready when the file exists", file: "/run/ready", present: true, want: undefined },
    {
      name: "not ready (code 50) while the file is missing",
      file: "/run/ready",
      present: false,
      want: {
        cniVersion: "1.1.0",
        code: 50,
        msg: "not ready: the readiness indicator file /run/ready does not exist (is the default network up?)",
      },
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      if (c.present && c.file !== undefined) world.readiness.present.add(c.file);
      const conf: Record<string, unknown> = { cniVersion: "1.1.0" };
      if (c.file !== undefined) conf.readinessindicatorfile = c.file;
      const reply = await invoke(world, "STATUS", { conf });
      if (c.want === undefined) expect(reply).toEqual({ stdout: "", exitCode: 0 });
      else expect(parsed(reply)).toEqual(c.want);
    });
  }
});

describe("VERSION", () => {
  it("lists every supported version", async () => {
    const reply = await invoke(world, "VERSION");
    expect(parsed(reply)).toEqual({
      cniVersion: "1.1.0",
      supportedVersions: ["0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"],
    });
  });
});
