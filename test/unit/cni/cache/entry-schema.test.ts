import { describe, expect, it } from "vitest";
import { errorMessage } from "../../../../src/common/errors.ts";
import { ATTACHMENT_CACHE_API_VERSION, parseCacheEntry } from "../../../../src/cni/cache/entry-schema.ts";
import { CONTAINER_ID, fixture, sampleEntry } from "./support.ts";

function problemOf(raw: unknown, migrations?: Parameters<typeof parseCacheEntry>[1]): string {
  try {
    parseCacheEntry(raw, migrations);
  } catch (err) {
    return errorMessage(err);
  }
  return "no problem";
}

describe("parseCacheEntry", () => {
  it("reads the committed v1alpha1 fixture, every key of every plugin kept", () => {
    const raw = fixture("v1alpha1-entry.json");
    const entry = parseCacheEntry(raw);
    expect(entry).toEqual(raw);
    expect(entry.containerID).toBe(CONTAINER_ID);
    expect(entry.networks.map((n) => `${n.name} ${n.ifName} ${n.status}`)).toEqual([
      "cluster eth0 added",
      "ns1/macvlan-a net1 pending",
    ]);
    expect(entry.networks[0]?.config).toMatchObject({
      plugins: [{ ipam: { dataDir: "/var/lib/cni/networks" } }, { snat: true }],
    });
  });

  it("migrates older versions through the hook, in steps", () => {
    const current = fixture("v1alpha1-entry.json");
    const older = {
      ...current,
      apiVersion: "netclaim.dev/v1alpha0",
      pod: undefined,
      podRef: "ns1/web-0/uid",
    };
    const oldest = { ...older, apiVersion: "netclaim.dev/v0" };
    const migrations = {
      "netclaim.dev/v0": (e: Record<string, unknown>) => ({ ...e, apiVersion: "netclaim.dev/v1alpha0" }),
      "netclaim.dev/v1alpha0": (e: Record<string, unknown>) => {
        const [namespace, name, uid] = String(e.podRef).split("/");
        const { podRef: _gone, ...rest } = e;
        return { ...rest, apiVersion: ATTACHMENT_CACHE_API_VERSION, pod: { namespace, name, uid } };
      },
    };
    const want = { ...current, pod: { namespace: "ns1", name: "web-0", uid: "uid" } };
    expect(parseCacheEntry(older, migrations)).toEqual(want);
    expect(parseCacheEntry(oldest, migrations)).toEqual(want);
  });

  it("stops a migration loop", () => {
    const loop = { "x/v0": (e: Record<string, unknown>) => e };
    expect(problemOf({ ...sampleEntry(), apiVersion: "x/v0" }, loop)).toBe(
      "more than 16 migrations: a migration loop",
    );
  });

  const valid = sampleEntry();
  const withNetwork = (patch: Record<string, unknown>) => ({
    ...valid,
    networks: [{ ...valid.networks[0], ...patch }],
  });

  it.each([
    { name: "not an object", raw: [], problem: "the entry is not a JSON object" },
    {
      name: "wrong kind",
      raw: { ...valid, kind: "Pod" },
      problem: 'kind is "Pod", expected AttachmentCacheEntry',
    },
    {
      name: "no kind",
      raw: { ...valid, kind: undefined },
      problem: "kind is undefined, expected AttachmentCacheEntry",
    },
    {
      name: "unknown apiVersion",
      raw: { ...valid, apiVersion: "netclaim.dev/v9" },
      problem: 'unsupported apiVersion "netclaim.dev/v9" (this netclaim reads netclaim.dev/v1alpha1)',
    },
    {
      name: "missing containerID",
      raw: { ...valid, containerID: undefined },
      problem: "containerID: Invalid input: expected string, received undefined",
    },
    {
      name: "bad containerID",
      raw: { ...valid, containerID: "../x" },
      problem: `containerID: invalid container ID "../x": it must start with a letter or digit, followed by letters, digits, '_', '.' or '-'`,
    },
    {
      name: "missing networks",
      raw: { ...valid, networks: undefined },
      problem: "networks: Invalid input: expected array, received undefined",
    },
    {
      name: "missing pod name",
      raw: { ...valid, pod: { namespace: "a", uid: "" } },
      problem: "pod.name: Invalid input: expected string, received undefined",
    },
    {
      name: "network without config",
      raw: withNetwork({ config: undefined }),
      problem: "networks.0.config: Invalid input: expected record, received undefined",
    },
    {
      name: "config neither plugin nor list",
      raw: withNetwork({ config: { name: "x" } }),
      problem: "networks.0.config: has neither a type nor plugins",
    },
    {
      name: "conflist plugin without type",
      raw: withNetwork({ config: { plugins: [{ type: "a" }, {}] } }),
      problem: "networks.0.config.plugins.1: has no type",
    },
    {
      name: "empty conflist",
      raw: withNetwork({ config: { plugins: [] } }),
      problem: "networks.0.config.plugins: plugins must be a non-empty list",
    },
    {
      name: "unknown status",
      raw: withNetwork({ status: "done" }),
      problem: 'networks.0.status: Invalid option: expected one of "pending"|"added"',
    },
    {
      name: "added without result",
      raw: withNetwork({ status: "added" }),
      problem: "networks.0.result: an added network must carry its result",
    },
    {
      name: "bad network ifName",
      raw: withNetwork({ ifName: "a/b" }),
      problem: `networks.0.ifName: interface name "a/b" contains '/', ':' or whitespace`,
    },
  ])("rejects $name", ({ raw, problem }) => {
    expect(problemOf(raw)).toBe(problem);
  });
});
