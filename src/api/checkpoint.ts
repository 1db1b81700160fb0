// The kubelet plugin's checkpoint: every claim this node has prepared (or is preparing / unpreparing),
// with its devices and the pods it is reserved for, so that Unprepare, a restart and the CNI side work
// without the API server.
//
// On disk (one JSON file, written atomically, mode 0600):
//   { "apiVersion": "netclaim.dev/v1alpha1", "kind": "PreparedClaims",
//     "checksum": "sha256:<hex of the canonical JSON of {apiVersion, kind, data}>",
//     "data": { "claims": { "<claim UID>": PreparedClaimEntry, ... } } }
// A claim's `state` makes a crash between steps recoverable: "preparing" is written before anything is
// changed on the host (the planned devices and driver rebinds are the intent log), "prepared" once the
// CDI spec is written, "unpreparing" before Unprepare undoes anything. A device's `rebind` records the
// driver it had before we rebound it (`from`, "" for none) and what we bound (`to`), so the original is
// restored on Unprepare or rollback. A device's `originalSettings` records the mtu / MAC / VF settings it
// had before the claim's config changed them (written before the change), for the same purpose. A device's
// `ips` records the addresses the netclaim controller had allocated for it when it was prepared, so the CNI
// side hands them to the delegate without asking the API server.
//
// Versions: a field added as optional keeps the apiVersion (`originalSettings`, `ips` came so): every
// older file still reads. Only a change that older files cannot satisfy, or that changes a field's meaning,
// takes a new apiVersion and a migration. A device record carries `ips` only when it has some, so a file
// of claims without pools stays readable by a netclaim from before the field.
//
// Reading never turns damage into an empty checkpoint: bad JSON, another kind, an unknown apiVersion, a
// checksum mismatch or a schema violation each come back as { status: "corrupt", reason, message }.
// Older versions are read through CHECKPOINT_MIGRATIONS (checkpoint-migrations.ts) after their checksum
// is verified; writes are always the current version.
//
// Public API: `CHECKPOINT_API_VERSION`, `CHECKPOINT_KIND`, `CLAIM_STATES`, `ClaimState`, `DEVICE_KINDS`,
// `DeviceKind`, `OriginalSettings`, `PreparedDeviceRecord`, `PreparedClaimEntry`, `Checkpoint`, `CheckpointDocument`,
// `checkpointDataSchema`, `emptyCheckpoint`, `serializeCheckpoint`, `parseCheckpointText`,
// `CheckpointParseResult`, `CorruptReason`.
import { z } from "zod";
import { errorMessage } from "../common/errors.ts";
import { checksumOf } from "./checkpoint-canonical.ts";
import { isInterfaceAddressText } from "./claim-addresses.ts";
import { CHECKPOINT_MIGRATIONS, migrateCheckpoint } from "./checkpoint-migrations.ts";
import type { CheckpointMigration } from "./checkpoint-migrations.ts";
import { appliedDeviceConfigSchema } from "./network-device-config.ts";
import { isJsonObject } from "./netconf-issues.ts";

export const CHECKPOINT_API_VERSION = "netclaim.dev/v1alpha1";
export const CHECKPOINT_KIND = "PreparedClaims";
export const CLAIM_STATES = ["preparing", "prepared", "unpreparing"] as const;
export type ClaimState = (typeof CLAIM_STATES)[number];
export const DEVICE_KINDS = ["sriov-vf", "subfunction", "netdev"] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

const macAddress = z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
/** As ResourceClaim status.devices[].networkData.ips allows at most. */
const MAX_DEVICE_IPS = 16;
const interfaceAddress = z.string().refine(isInterfaceAddressText, "not an address in CIDR form");

/**
 * What a device's settings were before Prepare changed them, recorded (before the change) for the fields
 * the config changes only, so that Unprepare and crash recovery put back exactly those. `netdev`: the
 * netdev's own mtu / address (`ip link set dev <ifName> mtu|address`); `vf`: the VF's settings on its PF
 * (`ip link set dev <pfName> vf <vfIndex> mac|vlan|spoofchk|trust`), vlan with its qos.
 */
const originalSettingsSchema = z.strictObject({
  netdev: z
    .strictObject({
      ifName: z.string().min(1),
      mtu: z.int().min(0).optional(),
      mac: macAddress.optional(),
    })
    .optional(),
  vf: z
    .strictObject({
      pfName: z.string().min(1),
      vfIndex: z.int().min(0),
      mac: macAddress.optional(),
      vlan: z.int().min(0).max(4095).optional(),
      qos: z.int().min(0).max(7).optional(),
      spoofChk: z.boolean().optional(),
      trust: z.boolean().optional(),
    })
    .optional(),
});

const deviceRecordSchema = z.strictObject({
  /** As in the allocation result (maybe "req/sub"). */
  requestNames: z.array(z.string().min(1)).min(1),
  poolName: z.string().min(1),
  deviceName: z.string().min(1),
  shareID: z.string().optional(),
  kind: z.enum(DEVICE_KINDS),
  pciAddress: z.string().optional(),
  /** The host netdev name at prepare time. */
  ifName: z.string().optional(),
  pfName: z.string().optional(),
  vfIndex: z.int().min(0).optional(),
  /** Set when the device is used through vfio-pci. */
  vfioGroup: z.string().optional(),
  resourceName: z.string().optional(),
  cdiDeviceIDs: z.array(z.string().min(1)),
  rebind: z.strictObject({ from: z.string(), to: z.string().min(1) }).optional(),
  config: appliedDeviceConfigSchema,
  /** Set once the host's values were read, before any of them is changed (optional: older files lack it). */
  originalSettings: originalSettingsSchema.optional(),
  /**
   * The addresses the netclaim controller allocated for the device (claim status.devices[] networkData.ips
   * with AddressesAllocated True, src/api/claim-addresses.ts) as Prepare read them: the CNI side hands them
   * to the delegate as runtimeConfig.ips. Absent: none were known (older files, or no pool).
   */
  ips: z.array(interfaceAddress).min(1).max(MAX_DEVICE_IPS).optional(),
});

const timestamp = z.iso.datetime({ offset: true });

const claimEntrySchema = z.strictObject({
  namespace: z.string().min(1),
  name: z.string().min(1),
  state: z.enum(CLAIM_STATES),
  /** UIDs of the pods in status.reservedFor. */
  podUIDs: z.array(z.string().min(1)),
  devices: z.array(deviceRecordSchema),
  createdAt: timestamp,
  updatedAt: timestamp,
  /** Reconstructed from CDI specs and the API server after a corrupt checkpoint: rebind origins unknown. */
  rebuilt: z.boolean().optional(),
});

export const checkpointDataSchema = z.strictObject({
  claims: z.record(z.string().min(1), claimEntrySchema),
});

export type OriginalSettings = z.infer<typeof originalSettingsSchema>;
export type PreparedDeviceRecord = z.infer<typeof deviceRecordSchema>;
export type PreparedClaimEntry = z.infer<typeof claimEntrySchema>;
/** The checkpoint's content (the file's `data`). */
export type Checkpoint = z.infer<typeof checkpointDataSchema>;

export interface CheckpointDocument {
  apiVersion: string;
  kind: string;
  checksum: string;
  data: unknown;
}

export function emptyCheckpoint(): Checkpoint {
  return { claims: {} };
}

/** The file's text: the current version, checksummed, indented, with a final newline. */
export function serializeCheckpoint(checkpoint: Checkpoint): string {
  const data = checkpointDataSchema.parse(checkpoint);
  const body = { apiVersion: CHECKPOINT_API_VERSION, kind: CHECKPOINT_KIND, data };
  const document: CheckpointDocument = {
    apiVersion: body.apiVersion,
    kind: body.kind,
    checksum: checksumOf(body),
    data,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

export const CORRUPT_REASONS = [
  "bad-json",
  "not-a-checkpoint",
  "unknown-version",
  "bad-checksum",
  "bad-schema",
] as const;
export type CorruptReason = (typeof CORRUPT_REASONS)[number];

export type CheckpointParseResult =
  | { status: "ok"; checkpoint: Checkpoint; apiVersion: string }
  | { status: "corrupt"; reason: CorruptReason; message: string };

function corrupt(reason: CorruptReason, message: string): CheckpointParseResult {
  return { status: "corrupt", reason, message };
}

/** Parses a checkpoint file's text; `apiVersion` in the result is the version that was read. */
export function parseCheckpointText(
  text: string,
  migrations: Readonly<Record<string, CheckpointMigration>> = CHECKPOINT_MIGRATIONS,
): CheckpointParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return corrupt("bad-json", `not JSON: ${errorMessage(err)}`);
  }
  if (!isJsonObject(raw) || raw.kind !== CHECKPOINT_KIND) {
    return corrupt("not-a-checkpoint", `expected kind ${CHECKPOINT_KIND}`);
  }
  const { apiVersion, checksum, data } = raw;
  if (typeof apiVersion !== "string" || typeof checksum !== "string") {
    return corrupt("not-a-checkpoint", "apiVersion and checksum must be strings");
  }
  if (apiVersion !== CHECKPOINT_API_VERSION && !Object.hasOwn(migrations, apiVersion)) {
    return corrupt(
      "unknown-version",
      `apiVersion ${JSON.stringify(apiVersion)} is not one this netclaim reads`,
    );
  }
  const expected = checksumOf({ apiVersion, kind: CHECKPOINT_KIND, data });
  if (checksum !== expected)
    return corrupt("bad-checksum", `checksum ${checksum} does not match the content (${expected})`);
  let current: unknown;
  try {
    current = migrateCheckpoint({ apiVersion, data }, CHECKPOINT_API_VERSION, migrations);
  } catch (err) {
    return corrupt("unknown-version", errorMessage(err));
  }
  const parsed = checkpointDataSchema.safeParse(current);
  if (!parsed.success) return corrupt("bad-schema", errorMessage(parsed.error));
  return { status: "ok", checkpoint: parsed.data, apiVersion };
}
