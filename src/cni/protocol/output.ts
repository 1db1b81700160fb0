// The final answer of one invocation as pure data: what goes to stdout and the exit code. Nothing but
// this goes to stdout (logs go to stderr or a file).
//
//   ADD success                 the result in the config's version, exit 0
//   VERSION                     {cniVersion, supportedVersions}, exit 0
//   DEL/CHECK/GC/STATUS success nothing, exit 0
//   any failure                 {cniVersion, code, msg, details}, exit 1
//
// JSON is indented with four spaces and has no trailing newline, as libcni prints it.
//
// Public API: `CniReply`, `resultReply`, `versionReply`, `emptyReply`, `errorReply`, `replyVersionOf`.
import { isJsonObject } from "../../api/netconf-issues.ts";
import { renderCniError } from "./errors.ts";
import { convertResult } from "./result-convert.ts";
import { resultToJson } from "./result-json.ts";
import type { CniResult } from "./result.ts";
import { CURRENT_VERSION, DEFAULT_CONFIG_VERSION, isSupportedVersion, versionResponse } from "./version.ts";

export interface CniReply {
  stdout: string;
  exitCode: 0 | 1;
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 4);
}

/** The ADD answer: `result` converted to `cniVersion`; a failed conversion becomes an error reply. */
export function resultReply(result: CniResult, cniVersion: string): CniReply {
  try {
    return { stdout: json(resultToJson(convertResult(result, cniVersion))), exitCode: 0 };
  } catch (err) {
    return errorReply(err, cniVersion);
  }
}

export function versionReply(): CniReply {
  return { stdout: json(versionResponse()), exitCode: 0 };
}

/** Success without output (DEL, CHECK, GC, STATUS). */
export function emptyReply(): CniReply {
  return { stdout: "", exitCode: 0 };
}

/** The error answer for anything thrown. `cniVersion` is used when supported, else the current one. */
export function errorReply(err: unknown, cniVersion?: string): CniReply {
  const version = isSupportedVersion(cniVersion) ? cniVersion : CURRENT_VERSION;
  return { stdout: json(renderCniError(err, version)), exitCode: 1 };
}

/**
 * The version to answer an error in, taken from the raw stdin so that it works even when the request
 * could not be parsed: the config's supported `cniVersion` ("" or absent → 0.1.0), else the current one.
 */
export function replyVersionOf(stdin: string | Uint8Array): string {
  try {
    const text = typeof stdin === "string" ? stdin : Buffer.from(stdin).toString("utf8");
    const value: unknown = JSON.parse(text);
    if (!isJsonObject(value)) return CURRENT_VERSION;
    const version = value.cniVersion;
    if (version === undefined || version === "") return DEFAULT_CONFIG_VERSION;
    return isSupportedVersion(version) ? version : CURRENT_VERSION;
  } catch {
    return CURRENT_VERSION;
  }
}
