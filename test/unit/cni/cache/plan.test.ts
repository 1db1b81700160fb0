import { describe, expect, it } from "vitest";
import { markNetworkAdded, newCacheEntry } from "../../../../src/cni/cache/entry.ts";
import { planDelete, planGc } from "../../../../src/cni/cache/plan.ts";
import { sampleEntry } from "./support.ts";

const RESULT = { cniVersion: "1.0.0", interfaces: [{ name: "eth0" }] };

describe("newCacheEntry / markNetworkAdded", () => {
  it("starts every network pending and marks one added with its result, leaving the input unchanged", () => {
    const entry = sampleEntry();
    expect(entry.networks.map((n) => n.status)).toEqual(["pending", "pending"]);
    const added = markNetworkAdded(entry, 0, RESULT);
    expect(added.networks.map((n) => n.status)).toEqual(["added", "pending"]);
    expect(added.networks[0]?.result).toEqual(RESULT);
    expect(entry.networks[0]?.status).toBe("pending");
  });

  it.each([{ index: -1 }, { index: 2 }, { index: 0.5 }])("refuses network index $index", ({ index }) => {
    expect(() => markNetworkAdded(sampleEntry(), index, RESULT)).toThrow(RangeError);
  });
});

describe("planDelete", () => {
  it.each([
    {
      name: "all added: reverse order with their results",
      entry: markNetworkAdded(markNetworkAdded(sampleEntry(), 0, RESULT), 1, {
        ...RESULT,
        cniVersion: "0.3.1",
      }),
      want: [
        {
          network: "ns1/net-a",
          index: 1,
          ifName: "net1",
          status: "added",
          prevResult: { ...RESULT, cniVersion: "0.3.1" },
        },
        { network: "cluster", index: 0, ifName: "eth0", status: "added", prevResult: RESULT },
      ],
    },
    {
      name: "crashed half-way: the pending network is deleted too, without a result",
      entry: markNetworkAdded(sampleEntry(), 0, RESULT),
      want: [
        { network: "ns1/net-a", index: 1, ifName: "net1", status: "pending", prevResult: undefined },
        { network: "cluster", index: 0, ifName: "eth0", status: "added", prevResult: RESULT },
      ],
    },
    {
      name: "crashed before any delegate: everything pending",
      entry: sampleEntry(),
      want: [
        { network: "ns1/net-a", status: "pending", prevResult: undefined },
        { network: "cluster", status: "pending", prevResult: undefined },
      ],
    },
    { name: "no networks", entry: { ...sampleEntry(), networks: [] }, want: [] },
  ])("$name", ({ entry, want }) => {
    const plan = planDelete(entry);
    expect(plan).toHaveLength(want.length);
    plan.forEach((step, i) => expect(step).toMatchObject(want[i] ?? {}));
  });

  it("carries everything a DEL needs: config with every key, runtimeConfig, CNI_ARGS, netns", () => {
    const [last, first] = planDelete(sampleEntry());
    expect(first).toEqual({
      network: "cluster",
      index: 0,
      status: "pending",
      containerID: sampleEntry().containerID,
      netns: "/run/netns/pod1",
      ifName: "eth0",
      cniArgs: "IgnoreUnknown=true;K8S_POD_NAME=pod1",
      config: {
        cniVersion: "1.0.0",
        name: "cluster",
        plugins: [{ type: "bridge", custom: { keep: 1 } }, { type: "tuning" }],
      },
      runtimeConfig: { portMappings: [] },
      prevResult: undefined,
      deviceInfoFile: undefined,
    });
    expect(last?.config).toEqual({ cniVersion: "0.3.1", name: "net-a", type: "macvlan", master: "eth1" });
  });
});

describe("planGc", () => {
  const entry = (containerID: string, ifname = "eth0") =>
    newCacheEntry({
      containerID,
      netns: "",
      ifname,
      pod: { namespace: "", name: "", uid: "" },
      cniArgs: "",
      networks: [],
    });
  const cached = [entry("a"), entry("b"), entry("b", "eth1"), entry("c")];
  const ids = (items: { containerID: string; ifname: string }[]) =>
    items.map((e) => `${e.containerID}/${e.ifname}`);

  it.each([
    {
      name: "some valid",
      valid: [
        { containerID: "a", ifname: "eth0" },
        { containerID: "b", ifname: "eth1" },
      ],
      stale: ["b/eth0", "c/eth0"],
      keep: ["a/eth0", "b/eth1"],
    },
    { name: "none valid", valid: [], stale: ["a/eth0", "b/eth0", "b/eth1", "c/eth0"], keep: [] },
    {
      name: "all valid, plus unknown ones",
      valid: [
        ...cached.map((e) => ({ containerID: e.containerID, ifname: e.ifname })),
        { containerID: "z", ifname: "eth0" },
      ],
      stale: [],
      keep: ["a/eth0", "b/eth0", "b/eth1", "c/eth0"],
    },
    {
      name: "no valid list at all keeps everything",
      valid: undefined,
      stale: [],
      keep: ["a/eth0", "b/eth0", "b/eth1", "c/eth0"],
    },
    {
      name: "same container, other ifname is not valid",
      valid: [{ containerID: "c", ifname: "net1" }],
      stale: ["a/eth0", "b/eth0", "b/eth1", "c/eth0"],
      keep: [],
    },
  ])("$name", ({ valid, stale, keep }) => {
    const plan = planGc(cached, valid);
    expect(ids(plan.stale)).toEqual(stale);
    expect(ids(plan.keep)).toEqual(keep);
  });

  it("works on corrupt files by their key too", () => {
    const corrupt = [{ containerID: "x", ifname: "eth0", file: "/d/x@eth0" }];
    expect(planGc(corrupt, []).stale).toEqual(corrupt);
  });
});
