// The checkpoint's `ips` (the controller's addresses recorded at prepare): the frozen v1alpha1 fixture
// from before the field still reads, with no addresses; a checkpoint with them round-trips under the same
// apiVersion; a file whose addresses are not CIDR interface addresses is corrupt, not silently emptied.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checksumOf } from "../../../src/api/checkpoint-canonical.ts";
import {
  CHECKPOINT_API_VERSION,
  CHECKPOINT_KIND,
  parseCheckpointText,
  serializeCheckpoint,
} from "../../../src/api/checkpoint.ts";
import type { Checkpoint, PreparedDeviceRecord } from "../../../src/api/checkpoint.ts";

const fixture = readFileSync(
  new URL("../../fixtures/checkpoint/v1alpha1-prepared-claims.json", import.meta.url),
  "utf8",
);

function withDevice(device: Partial<PreparedDeviceRecord>): Checkpoint {
  const at = "2026-11-30T10:00:00.000Z";
  return {
    claims: {
      "claim-uid-1": {
        namespace: "ns1",
        name: "net",
        state: "prepared",
        podUIDs: ["pod-uid-1"],
        devices: [
          {
            requestNames: ["nic"],
            poolName: "node-1",
            deviceName: "nic0",
            kind: "netdev",
            ifName: "nic0",
            cdiDeviceIDs: ["netclaim.dev/net=claim-uid-1-nic0"],
            config: { ipPool: "pool-a" },
            ...device,
          },
        ],
        createdAt: at,
        updatedAt: at,
      },
    },
  };
}

/** A correctly checksummed document whose data was not written by serializeCheckpoint. */
function signed(data: unknown): string {
  const body = { apiVersion: CHECKPOINT_API_VERSION, kind: CHECKPOINT_KIND, data };
  return JSON.stringify({ ...body, checksum: checksumOf(body) });
}

describe("checkpoint device ips", () => {
  it("an older file (the frozen fixture) reads, its devices without addresses", () => {
    const parsed = parseCheckpointText(fixture);
    expect(parsed.status).toBe("ok");
    if (parsed.status !== "ok") return;
    const devices = Object.values(parsed.checkpoint.claims).flatMap((c) => c.devices);
    expect(devices.length).toBeGreaterThan(0);
    expect(devices.map((d) => d.ips)).toEqual(devices.map(() => undefined));
  });

  it.each([
    { name: "IPv4", ips: ["10.10.0.10/24"] },
    { name: "dual stack, IPv4 first", ips: ["10.10.0.10/24", "fd00:10::a/64"] },
  ])("round-trips $name under the same apiVersion", ({ ips }) => {
    const checkpoint = withDevice({ ips });
    const text = serializeCheckpoint(checkpoint);
    expect(JSON.parse(text)).toMatchObject({ apiVersion: "netclaim.dev/v1alpha1" });
    expect(parseCheckpointText(text)).toEqual({
      status: "ok",
      checkpoint,
      apiVersion: "netclaim.dev/v1alpha1",
    });
  });

  it("a device without addresses writes no ips field (older readers still read the file)", () => {
    const text = serializeCheckpoint(withDevice({}));
    expect(text).not.toContain('"ips"');
  });

  it.each([
    { name: "no prefix length", ips: ["10.10.0.10"] },
    { name: "not an address", ips: ["pool-a"] },
    { name: "an empty list", ips: [] },
    { name: "more than the API's 16", ips: Array.from({ length: 17 }, (_, i) => `10.0.0.${i + 1}/24`) },
  ])("a file with $name is corrupt (bad-schema)", ({ ips }) => {
    const parsed = parseCheckpointText(signed(withDevice({ ips })));
    expect(parsed).toMatchObject({ status: "corrupt", reason: "bad-schema" });
  });

  it("serializeCheckpoint refuses to write bad addresses", () => {
    expect(() => serializeCheckpoint(withDevice({ ips: ["10.10.0.10"] }))).toThrow();
  });
});
