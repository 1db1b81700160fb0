// What the prepare shell needs from the outside, in its own terms (fakes in test/fakes/ implement
// these): the claims from the API server, this node's devices, the CDI spec directory, the devices' host
// settings.
import type { OriginalSettings, PreparedDeviceRecord } from "../../api/checkpoint.ts";
import type { CdiSpec } from "../cdi/cdi-types.ts";
import type { CdiSpecFile } from "../cdi/spec-files.ts";
import type { NodeDevice, ResourceClaim } from "./plan-types.ts";

export interface ClaimReader {
  /** GET one ResourceClaim; rejects (an ApiError with 404 when it does not exist). */
  getClaim(namespace: string, name: string, signal?: AbortSignal): Promise<ResourceClaim>;
  /** Every ResourceClaim (all namespaces), to rebuild a corrupt checkpoint. */
  listClaims(signal?: AbortSignal): Promise<ResourceClaim[]>;
}

/** This node's devices by `deviceKey(pool, name)`. */
export interface NodeDeviceSource {
  /** The devices as last discovered. */
  devices(): ReadonlyMap<string, NodeDevice>;
  /** Discovers again now (a device not found, a netdev name after a rebind) and returns the result. */
  rescan(signal?: AbortSignal): Promise<ReadonlyMap<string, NodeDevice>>;
}

/** Our claim CDI specs in the CDI directory. */
export interface CdiStore {
  write(claimUID: string, spec: CdiSpec): Promise<string>;
  /** Removes the claim's spec; false when there was none. */
  remove(claimUID: string): Promise<boolean>;
  list(): Promise<CdiSpecFile[]>;
  /** Removes temp files of writes killed midway (at start-up). */
  removeStaleTempFiles(): Promise<string[]>;
}

/** A device's host settings (mtu, MAC, VF vlan / spoofchk / trust) as its record's config sets them. */
export interface DeviceSettings {
  /**
   * The host's values of what the record's config changes, read now (undefined: it changes nothing);
   * rejects when the config cannot apply to the device as it is (no netdev, no such VF).
   */
  readOriginal(record: PreparedDeviceRecord, signal?: AbortSignal): Promise<OriginalSettings | undefined>;
  /** Applies the config, given the record's `originalSettings`; rejects at the first change that fails. */
  apply(record: PreparedDeviceRecord, signal?: AbortSignal): Promise<void>;
  /**
   * Puts the record's `originalSettings` back (again and again, harmlessly). Resolves with one line per
   * restore skipped because its link is gone from the host; rejects when a restore failed otherwise.
   */
  restore(record: PreparedDeviceRecord, signal?: AbortSignal): Promise<string[]>;
}
