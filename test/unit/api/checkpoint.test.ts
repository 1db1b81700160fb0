// The checkpoint document: round trip, the checksum (any change of a value is caught, a reformat is
// not a change), every kind of damage reported as corrupt with its reason, the frozen v1alpha1 fixture
// still read, and migrations from older versions.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { canonicalJson, checksumOf } from "../../../src/api/checkpoint-canonical.ts";
import { parseCheckpointText, serializeCheckpoint } from "../../../src/api/checkpoint.ts";
import type { Checkpoint } from "../../../src/api/checkpoint.ts";
import type { CheckpointMigration } from "../../../src/api/checkpoint-migrations.ts";

const fixture = readFileSync(
  new URL("../../fixtures/checkpoint/v1alpha1-prepared-claims.json", import.meta.url),
  "utf8",
);
const UID = "3f0c9a52-7d4e-4b8f-9c1e-0a2b4c6d8e10";

function fixtureCheckpoint(): Checkpoint {
  const parsed = parseCheckpointText(fixture);
  if (parsed.status !== "ok") throw new Error(parsed.message);
  return parsed.checkpoint;
}

/** The fixture document with `edit` applied to its parsed JSON (checksum left as it was). */
function tampered(
  edit: (doc: { checksum: string; data: { claims: Record<string, Record<string, unknown>> } }) => void,
) {
  const doc = JSON.parse(fixture) as {
    checksum: string;
    data: { claims: Record<string, Record<string, unknown>> };
  };
  edit(doc);
  return JSON.stringify(doc);
}

describe("the v1alpha1 fixture (frozen: never regenerate it)", () => {
  it("is read, with every state and device field", () => {
    const parsed = parseCheckpointText(fixture);
    expect(parsed.status).toBe("ok");
    if (parsed.status !== "ok") return;
    expect(parsed.apiVersion).toBe("netclaim.dev/v1alpha1");
    const claims = parsed.checkpoint.claims;
    expect(Object.values(claims).map((c) => c.state)).toEqual(["prepared", "preparing", "unpreparing"]);
    expect(claims[UID]?.devices[1]).toMatchObject({
      rebind: { from: "iavf", to: "vfio-pci" },
      vfioGroup: "42",
    });
    expect(claims[UID]?.devices[0]?.config).toEqual({
      mtu: 9000,
      mac: "02:00:00:00:00:01",
      vlan: 100,
      spoofChk: true,
      trust: false,
      ifName: "net1",
      ipPool: "pool-a",
    });
  });
});

describe("serializeCheckpoint / parseCheckpointText", () => {
  it("round-trips", () => {
    const checkpoint = fixtureCheckpoint();
    const again = parseCheckpointText(serializeCheckpoint(checkpoint));
    expect(again).toEqual({ status: "ok", checkpoint, apiVersion: "netclaim.dev/v1alpha1" });
  });

  it("an empty checkpoint round-trips", () => {
    expect(parseCheckpointText(serializeCheckpoint({ claims: {} }))).toMatchObject({
      status: "ok",
      checkpoint: { claims: {} },
    });
  });

  it("a reformatted file (other indentation, other key order) is still valid", () => {
    const doc = JSON.parse(fixture) as Record<string, unknown>;
    const reordered = { data: doc.data, checksum: doc.checksum, kind: doc.kind, apiVersion: doc.apiVersion };
    expect(parseCheckpointText(JSON.stringify(reordered)).status).toBe("ok");
  });

  it("refuses to write an invalid checkpoint", () => {
    const bad = { claims: { x: { namespace: "", name: "n" } } } as unknown as Checkpoint;
    expect(() => serializeCheckpoint(bad)).toThrow();
  });
});

describe("damage is reported as corrupt, never read as empty", () => {
  const cases: { name: string; text: string; reason: string }[] = [
    { name: "empty file", text: "", reason: "bad-json" },
    { name: "truncated", text: fixture.slice(0, fixture.length / 2), reason: "bad-json" },
    {
      name: "another kind",
      text: JSON.stringify({ kind: "Checkpoint", apiVersion: "v1", checksum: "", data: {} }),
      reason: "not-a-checkpoint",
    },
    { name: "a JSON array", text: "[]", reason: "not-a-checkpoint" },
    {
      name: "no checksum",
      text: tampered((d) => {
        delete (d as { checksum?: string }).checksum;
      }),
      reason: "not-a-checkpoint",
    },
    {
      name: "a newer version this netclaim does not know",
      text: JSON.stringify({ ...JSON.parse(fixture), apiVersion: "netclaim.dev/v1beta1" }),
      reason: "unknown-version",
    },
    {
      name: "a value changed (state)",
      text: tampered((d) => {
        (d.data.claims[UID] as { state: string }).state = "unpreparing";
      }),
      reason: "bad-checksum",
    },
    {
      name: "a claim removed",
      text: tampered((d) => {
        delete d.data.claims[UID];
      }),
      reason: "bad-checksum",
    },
    {
      name: "a checksum changed",
      text: tampered((d) => {
        d.checksum = d.checksum.replace(/.$/, (c) => (c === "0" ? "1" : "0"));
      }),
      reason: "bad-checksum",
    },
    {
      name: "a schema violation with a matching checksum",
      text: (() => {
        const data = { claims: { [UID]: { namespace: "a", name: "b", state: "half-done" } } };
        const body = { apiVersion: "netclaim.dev/v1alpha1", kind: "PreparedClaims", data };
        return JSON.stringify({ ...body, checksum: checksumOf(body) });
      })(),
      reason: "bad-schema",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const parsed = parseCheckpointText(c.text);
      expect(parsed).toMatchObject({ status: "corrupt", reason: c.reason });
    });
  }
});

describe("migrations", () => {
  // A made-up older layout: claims as a list with the UID inside, states in upper case.
  const OLD = "netclaim.dev/v1alpha0";
  const fromOld: CheckpointMigration = (data) => {
    const list = (data as { claims: ({ uid: string; state: string } & Record<string, unknown>)[] }).claims;
    const claims = Object.fromEntries(
      list.map(({ uid, state, ...rest }) => [uid, { ...rest, state: state.toLowerCase() }]),
    );
    return { apiVersion: "netclaim.dev/v1alpha1", data: { claims } };
  };

  function oldDocument(): string {
    const current = fixtureCheckpoint();
    const claims = Object.entries(current.claims).map(([uid, c]) => ({
      uid,
      ...c,
      state: c.state.toUpperCase(),
    }));
    const body = { apiVersion: OLD, kind: "PreparedClaims", data: { claims } };
    return JSON.stringify({ ...body, checksum: checksumOf(body) });
  }

  it("reads an older version through its migration", () => {
    const parsed = parseCheckpointText(oldDocument(), { [OLD]: fromOld });
    expect(parsed).toEqual({ status: "ok", checkpoint: fixtureCheckpoint(), apiVersion: OLD });
  });

  it("verifies the older version's checksum before migrating", () => {
    const doc = JSON.parse(oldDocument()) as { data: { claims: { name: string }[] } };
    const first = doc.data.claims[0];
    if (first !== undefined) first.name = "changed";
    expect(parseCheckpointText(JSON.stringify(doc), { [OLD]: fromOld })).toMatchObject({
      reason: "bad-checksum",
    });
  });

  it("without the migration the older version is unknown", () => {
    expect(parseCheckpointText(oldDocument(), {})).toMatchObject({
      status: "corrupt",
      reason: "unknown-version",
    });
  });

  it("a migration that does not reach the current version is reported", () => {
    const loop: CheckpointMigration = (data) => ({ apiVersion: OLD, data });
    expect(parseCheckpointText(oldDocument(), { [OLD]: loop })).toMatchObject({ reason: "unknown-version" });
  });
});

describe("canonicalJson", () => {
  const cases: { name: string; a: unknown; b: unknown; same: boolean }[] = [
    {
      name: "key order does not matter",
      a: { b: 1, a: [1, { d: 2, c: 3 }] },
      b: { a: [1, { c: 3, d: 2 }], b: 1 },
      same: true,
    },
    { name: "integer-like keys sort as strings", a: { "10": 1, "9": 2 }, b: { "9": 2, "10": 1 }, same: true },
    { name: "undefined members are dropped", a: { a: 1, b: undefined }, b: { a: 1 }, same: true },
    { name: "array order matters", a: [1, 2], b: [2, 1], same: false },
    { name: "values matter", a: { a: "1" }, b: { a: 1 }, same: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(canonicalJson(c.a) === canonicalJson(c.b)).toBe(c.same);
    });
  }

  it("is compact with sorted keys", () => {
    expect(canonicalJson({ "10": 1, "9": [true, null], a: "x" })).toBe('{"10":1,"9":[true,null],"a":"x"}');
  });
});
