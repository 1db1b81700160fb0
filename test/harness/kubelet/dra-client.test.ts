// The stand-in kubelet's DRA client against fake DRA plugins on real unix sockets.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeDraPlugin } from "../../fakes/dra-plugin.ts";
import type { FakeDraPluginOptions } from "../../fakes/dra-plugin.ts";
import { KubeletDraClient } from "./dra-client.ts";
import type { ClaimOutcome, KubeletDraClientOptions } from "./dra-client.ts";
import { PluginWatcher } from "./plugin-watcher.ts";
import type { StandInClaim, StandInPod } from "./types.ts";

let root: string;
let watcher: PluginWatcher;
let plugins: FakeDraPlugin[];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "netclaim-dra-client-"));
  plugins = [];
  watcher = new PluginWatcher({ registrationDir: join(root, "registry"), pingIntervalMs: 0 });
  await watcher.start();
});

afterEach(async () => {
  await watcher.stop();
  for (const plugin of plugins) await plugin.stop();
  await rm(root, { recursive: true, force: true });
});

async function plugin(
  driverName: string,
  options: Partial<FakeDraPluginOptions> = {},
): Promise<FakeDraPlugin> {
  const fake = new FakeDraPlugin({
    driverName,
    registrationDir: join(root, "registry"),
    pluginsDir: join(root, "plugins"),
    ...options,
  });
  await fake.start();
  plugins.push(fake);
  await fake.registrationStatuses.waitFor((s) => s.plugin_registered);
  return fake;
}

function client(options: Partial<KubeletDraClientOptions> = {}): KubeletDraClient {
  return new KubeletDraClient({ plugins: watcher, retry: { initialMs: 1, maxMs: 1 }, ...options });
}

const errorOf = (outcome: ClaimOutcome | undefined): string =>
  outcome !== undefined && !outcome.ok ? outcome.error : "";
const claim = (name: string, drivers = ["a.dev"]): StandInClaim => ({
  podClaimName: `pc-${name}`,
  name,
  uid: `uid-${name}`,
  drivers,
});
const pod = (name: string, claims: StandInClaim[]): StandInPod => ({
  uid: `pod-uid-${name}`,
  namespace: "ns1",
  name,
  claims,
  containers: [{ name: "c", claims: claims.map((c) => c.podClaimName) }],
});

describe("KubeletDraClient prepare", () => {
  it("makes one call per driver per pod carrying all that pod's claims of the driver", async () => {
    const a = await plugin("a.dev");
    const b = await plugin("b.dev");
    const result = await client().prepareResources(
      pod("p", [claim("c1"), claim("c2"), claim("c3", ["b.dev"])]),
    );
    expect(result.ok).toBe(true);
    expect(a.calls.entries.map((c) => c.claims)).toEqual([
      [
        { namespace: "ns1", uid: "uid-c1", name: "c1" },
        { namespace: "ns1", uid: "uid-c2", name: "c2" },
      ],
    ]);
    expect(b.calls.entries.map((c) => c.claims.map((x) => x.name))).toEqual([["c3"]]);
  });

  it("records what it prepared per pod: claims, devices, CDI IDs", async () => {
    await plugin("a.dev");
    const dra = client();
    await dra.prepareResources(pod("p", [claim("c1")]));
    expect(dra.prepared("pod-uid-p")).toEqual([
      {
        claim: claim("c1"),
        namespace: "ns1",
        devicesByDriver: new Map([
          [
            "a.dev",
            [
              {
                requestNames: [],
                poolName: "pool-a",
                deviceName: "dev-c1",
                cdiDeviceIds: ["a.dev/net=uid-c1"],
              },
            ],
          ],
        ]),
      },
    ]);
  });

  it.each([
    {
      name: "v1 when offered first",
      versions: ["v1.DRAPlugin", "v1beta1.DRAPlugin"],
      service: "v1.DRAPlugin",
      shareId: "s-1",
    },
    {
      name: "v1beta1 when that is all",
      versions: ["v1beta1.DRAPlugin"],
      service: "v1beta1.DRAPlugin",
      shareId: undefined,
    },
  ])("uses the service chosen at registration: $name", async ({ versions, service, shareId }) => {
    const a = await plugin("a.dev", { supportedVersions: versions });
    a.prepareReplies.set("uid-c1", {
      devices: [
        { pool_name: "p", device_name: "d", request_names: ["r"], cdi_device_ids: [], share_id: "s-1" },
      ],
    });
    const dra = client();
    await dra.prepareResources(pod("p", [claim("c1")]));
    expect(a.calls.entries.map((c) => c.service)).toEqual([service]);
    // share_id exists only in v1: over v1beta1 it is not even on the wire.
    expect(dra.prepared("pod-uid-p")[0]?.devicesByDriver.get("a.dev")?.[0]?.shareId).toBe(shareId);
  });

  it("a per-claim error fails that claim only; a claim missing from the answer fails too", async () => {
    const a = await plugin("a.dev");
    a.prepareReplies.set("uid-bad", { error: "no such VF" });
    a.prepareReplies.set("uid-gone", "omit");
    const dra = client();
    const p = pod("p", [claim("bad"), claim("gone"), claim("good")]);
    const result = await dra.prepareResources(p);
    expect(result.ok).toBe(false);
    expect(
      result.outcomes.map((o) => (o.ok ? `${o.claim.name}: ok` : `${o.claim.name}: ${o.error}`)),
    ).toEqual([
      "bad: NodePrepareResources failed for ResourceClaim bad: no such VF",
      "gone: NodePrepareResources skipped ResourceClaim gone",
      "good: ok",
    ]);
    expect(dra.prepared(p.uid).map((c) => c.claim.name)).toEqual(["good"]);

    // Trying again sends only the claims that are not prepared yet.
    a.prepareReplies.clear();
    expect((await dra.prepareResources(p)).ok).toBe(true);
    expect(a.calls.entries.map((c) => c.claims.map((x) => x.name))).toEqual([
      ["bad", "gone", "good"],
      ["bad", "gone"],
    ]);
  });

  it.each([
    { name: "succeeds on the third attempt", failures: 2, ok: true, calls: 3, error: /^$/ },
    {
      name: "gives up after three attempts",
      failures: 5,
      ok: false,
      calls: 3,
      error: /^NodePrepareResources: 14 UNAVAILABLE: fake plugin: scripted failure$/,
    },
  ])("retries a failed call with backoff: $name", async ({ failures, ok, calls, error }) => {
    const a = await plugin("a.dev");
    a.failNextCalls(failures);
    const result = await client().prepareResources(pod("p", [claim("c1")]));
    expect(result.ok).toBe(ok);
    expect(a.calls.entries).toHaveLength(calls);
    expect(errorOf(result.outcomes[0])).toMatch(error);
  });

  it("sends a 45 s deadline by default", async () => {
    const a = await plugin("a.dev");
    await client().prepareResources(pod("p", [claim("c1")]));
    const [call] = a.calls.entries;
    const budget = (call?.deadlineMs ?? 0) - (call?.receivedAtMs ?? 0);
    expect(budget).toBeGreaterThan(40_000);
    expect(budget).toBeLessThanOrEqual(45_000);
  });

  it("a plugin slower than the deadline fails the call with DEADLINE_EXCEEDED", async () => {
    const a = await plugin("a.dev");
    a.delayMs = 2_000;
    const result = await client({ callTimeoutMs: 50, retry: { maxAttempts: 1 } }).prepareResources(
      pod("p", [claim("c1")]),
    );
    expect(errorOf(result.outcomes[0])).toMatch(/^NodePrepareResources: 4 DEADLINE_EXCEEDED/);
  });

  it("fails claims of a driver that is not registered, without calling anyone", async () => {
    const a = await plugin("a.dev");
    const result = await client().prepareResources(pod("p", [claim("c1", ["missing.dev"])]));
    expect(result.outcomes).toEqual([
      {
        claim: claim("c1", ["missing.dev"]),
        driver: "missing.dev",
        ok: false,
        error: "DRA driver missing.dev is not registered",
      },
    ]);
    expect(a.calls.entries).toEqual([]);
  });
});

describe("KubeletDraClient unprepare", () => {
  it("a claim shared by two pods is prepared once and unprepared after the last pod", async () => {
    const a = await plugin("a.dev");
    const dra = client();
    const shared = claim("shared");
    expect((await dra.prepareResources(pod("p1", [shared]))).ok).toBe(true);
    expect((await dra.prepareResources(pod("p2", [shared]))).ok).toBe(true);
    expect(dra.prepared("pod-uid-p2").map((c) => c.claim.name)).toEqual(["shared"]);
    await dra.unprepareResources("pod-uid-p1");
    const last = await dra.unprepareResources("pod-uid-p2");
    expect(last.ok).toBe(true);
    expect(a.calls.entries.map((c) => c.method)).toEqual(["NodePrepareResources", "NodeUnprepareResources"]);
    expect(a.calls.entries[1]?.claims).toEqual([{ namespace: "ns1", uid: "uid-shared", name: "shared" }]);
    expect(dra.prepared("pod-uid-p2")).toEqual([]);
  });

  it("reports a per-claim unprepare error", async () => {
    const a = await plugin("a.dev");
    a.unprepareErrors.set("uid-c1", "device busy");
    const dra = client();
    await dra.prepareResources(pod("p", [claim("c1")]));
    const result = await dra.unprepareResources("pod-uid-p");
    expect(result.outcomes).toMatchObject([
      { ok: false, error: "NodeUnprepareResources failed for ResourceClaim c1: device busy" },
    ]);
  });
});
