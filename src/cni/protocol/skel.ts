// One CNI invocation — the environment (passed in) and the stdin bytes — as a typed `CniRequest`,
// checked in libcni skel's order, each failure a CniError:
//   1. CNI_* variables for the command (env.ts)                      code 4
//   2. stdin: UTF-8, JSON, an object (not read for VERSION)          code 6
//   3. `name` present (libcni skel: "missing network name")          code 7
//   4. `cniVersion` supported ("" → 0.1.0)                           code 1 (malformed: 6)
//   5. the version allows the command (CHECK ≥ 0.4.0, STATUS/GC ≥ 1.1.0)   code 1
//   6. GC: `cni.dev/valid-attachments` (or the earlier name `cni.dev/attachments`, which libcni sets
//      too) is a list of {containerID, ifname}                                    code 7
// GC without any attachment list is refused rather than read as "nothing is valid", which would tear
// down every attachment on the node.
//
// Public API: `CniRequest` and its members, `GcAttachment`, `parseCniRequest`, `decodeConfig`.
import { z } from "zod";
import { describeIssues, isJsonObject, kindOf } from "../../api/netconf-issues.ts";
import type { JsonObject } from "../../api/netconf-issues.ts";
import { parseCniEnvironment } from "./env.ts";
import type { CniArgs, Env } from "./env.ts";
import { CniError } from "./errors.ts";
import { requireCommandAllowed, requireSupportedVersion } from "./version.ts";
import type { CniVersion } from "./version.ts";

/** What every command but VERSION reads from stdin. */
interface ConfigPart {
  /** The config's version, supported by netclaim ("" in the config → "0.1.0"). */
  cniVersion: CniVersion;
  /** The parsed config, every key. */
  config: JsonObject;
  /** stdin as text, unchanged. */
  stdin: string;
}

interface AttachmentPart extends ConfigPart {
  containerId: string;
  ifName: string;
  args: CniArgs;
  path: string[];
}

export interface AddRequest extends AttachmentPart {
  command: "ADD";
  netns: string;
}
export interface CheckRequest extends AttachmentPart {
  command: "CHECK";
  netns: string;
}
export interface DelRequest extends AttachmentPart {
  command: "DEL";
  /** Absent when the runtime no longer has the namespace. */
  netns?: string;
}
export interface StatusRequest extends ConfigPart {
  command: "STATUS";
  path: string[];
}
export interface GcAttachment {
  containerID: string;
  ifname: string;
}
export interface GcRequest extends ConfigPart {
  command: "GC";
  path: string[];
  validAttachments: GcAttachment[];
}
export interface VersionRequest {
  command: "VERSION";
  /** The `cniVersion` the runtime sent on stdin, when it sent one. */
  requestedVersion?: string;
}

export type CniRequest = AddRequest | CheckRequest | DelRequest | StatusRequest | GcRequest | VersionRequest;

function decodeFailure(msg: string): CniError {
  return new CniError("DECODE_FAILURE", msg);
}

function stdinText(stdin: string | Uint8Array): string {
  if (typeof stdin === "string") return stdin;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(stdin);
  } catch {
    throw decodeFailure("failed to decode the network configuration on stdin: not valid UTF-8");
  }
}

/** stdin → the config object (code 6 when it is not one). */
export function decodeConfig(stdin: string | Uint8Array): { text: string; config: JsonObject } {
  const text = stdinText(stdin);
  if (text.trim() === "") throw decodeFailure("no network configuration on stdin");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw decodeFailure(`failed to decode the network configuration on stdin: ${(err as Error).message}`);
  }
  if (!isJsonObject(value)) {
    throw decodeFailure(`the network configuration on stdin must be a JSON object, got ${kindOf(value)}`);
  }
  return { text, config: value };
}

function checkName(config: JsonObject): void {
  const name = config.name;
  if (name === undefined || name === null || name === "") {
    throw new CniError("INVALID_NETWORK_CONFIG", "missing network name");
  }
  if (typeof name !== "string") {
    throw new CniError(
      "INVALID_NETWORK_CONFIG",
      `network configuration: field "name": expected string, got ${kindOf(name)}`,
    );
  }
}

function configVersion(config: JsonObject): CniVersion {
  const version = config.cniVersion ?? "";
  if (typeof version !== "string") {
    throw decodeFailure(`network configuration: field "cniVersion": expected string, got ${kindOf(version)}`);
  }
  return requireSupportedVersion(version);
}

const VALID_ATTACHMENTS_KEY = "cni.dev/valid-attachments";
const LEGACY_ATTACHMENTS_KEY = "cni.dev/attachments";
const attachmentsSchema = z.array(z.object({ containerID: z.string(), ifname: z.string() }));

function gcAttachments(config: JsonObject): GcAttachment[] {
  const key = VALID_ATTACHMENTS_KEY in config ? VALID_ATTACHMENTS_KEY : LEGACY_ATTACHMENTS_KEY;
  if (!(key in config)) {
    throw new CniError(
      "INVALID_NETWORK_CONFIG",
      `GC needs "${VALID_ATTACHMENTS_KEY}" in the network configuration`,
    );
  }
  const parsed = attachmentsSchema.safeParse(config[key], { reportInput: true });
  if (parsed.success) return parsed.data;
  throw new CniError(
    "INVALID_NETWORK_CONFIG",
    describeIssues("network configuration", parsed.error.issues, [key]),
  );
}

function versionRequest(stdin: string | Uint8Array): VersionRequest {
  try {
    const { config } = decodeConfig(stdin);
    return typeof config.cniVersion === "string"
      ? { command: "VERSION", requestedVersion: config.cniVersion }
      : { command: "VERSION" };
  } catch {
    return { command: "VERSION" }; // VERSION needs no input; a garbled one is ignored
  }
}

/** Parses one invocation. Throws a CniError with the code of the first problem found (see the top). */
export function parseCniRequest(env: Env, stdin: string | Uint8Array): CniRequest {
  const environment = parseCniEnvironment(env);
  if (environment.command === "VERSION") return versionRequest(stdin);
  const { text, config } = decodeConfig(stdin);
  checkName(config);
  const cniVersion = configVersion(config);
  requireCommandAllowed(cniVersion, environment.command);
  const part: ConfigPart = { cniVersion, config, stdin: text };
  if (environment.command === "GC")
    return { ...environment, ...part, validAttachments: gcAttachments(config) };
  // The environment's command ("ADD" | "CHECK" in one member) decides which request this is.
  return { ...environment, ...part } as AddRequest | CheckRequest | DelRequest | StatusRequest;
}
