// CNI error codes and the CNI error result `{cniVersion, code, msg, details}`.
//
// Codes 0-99 are the spec's well-known codes (SPEC.md "Error codes", spec 1.1.0); 100+ are free for
// plugins. netclaim uses 100-119, listed below; 100 (`INTERNAL`) is the answer for any failure that
// carries no code of its own. (libcni's skel answers 999 for such errors; the spec has no such code.)
//
// `CniError` is a `CodedError` whose `code` is the name of a CNI code (`"INVALID_ENVIRONMENT"`), so
// `errorCodeOf` finds it through cause chains; `cniCode` is the number on the wire. `toCniError` maps any
// thrown value to a `CniError`: the first `CniError` or `CodedError` with a CNI code name on the cause
// chain decides the code, src/common codes map through `COMMON_CODE_MAP`, anything else is `INTERNAL`.
//
// Public API: `CNI_ERROR_CODES`, `CniErrorName`, `CniError`, `CniErrorResult`, `toCniError`,
// `renderCniError`, `isCniErrorName`.
import { CodedError, errorMessage } from "../../common/errors.ts";

export const CNI_ERROR_CODES = {
  /** Incompatible CNI version. */
  INCOMPATIBLE_VERSION: 1,
  /** Unsupported field in network configuration; the message must name key and value. */
  UNSUPPORTED_FIELD: 2,
  /** Container unknown or does not exist: the runtime need not clean up (e.g. call DEL). */
  UNKNOWN_CONTAINER: 3,
  /** Invalid necessary environment variables; the message must name them. */
  INVALID_ENVIRONMENT: 4,
  /** I/O failure, e.g. reading the network config from stdin. */
  IO_FAILURE: 5,
  /** Failed to decode content, e.g. the network config or a version. */
  DECODE_FAILURE: 6,
  /** Invalid network config. */
  INVALID_NETWORK_CONFIG: 7,
  /** A transient condition; the runtime should retry later. */
  TRY_AGAIN_LATER: 11,
  /** STATUS: the plugin cannot service ADD requests. */
  PLUGIN_NOT_AVAILABLE: 50,
  /** STATUS: not available, and existing containers may have limited connectivity. */
  LIMITED_CONNECTIVITY: 51,

  // netclaim's own codes (100-119).
  /** An unexpected failure with no more specific code (the default). */
  INTERNAL: 100,
  /** A delegate plugin failed; the message carries the delegate's own error. */
  DELEGATE_FAILED: 101,
  /** A delegate plugin's executable was not found in binDir or CNI_PATH. */
  DELEGATE_NOT_FOUND: 102,
  /** The Kubernetes API could not be reached or refused the request. */
  KUBE_API: 103,
  /** The pod in the API differs from the one the runtime named (K8S_POD_UID). */
  POD_MISMATCH: 104,
  /** A network named by the pod or the config does not exist (NAD or conf file). */
  NETWORK_NOT_FOUND: 105,
  /** A pod annotation (networks, default-network) is malformed or asks for something impossible. */
  INVALID_ANNOTATION: 106,
  /** Namespace isolation refuses a network in another namespace. */
  NAMESPACE_ISOLATION: 107,
  /** A network needs a device (resourceName) that the pod was not given. */
  DEVICE_NOT_FOUND: 108,
  /** The attachment cache of a container could not be read or written. */
  CACHE_FAILURE: 109,
  /** The netclaim CNI server (daemonSocket) could not be reached. */
  DAEMON_UNAVAILABLE: 110,
} as const;

export type CniErrorName = keyof typeof CNI_ERROR_CODES;
export type CniErrorCode = (typeof CNI_ERROR_CODES)[CniErrorName];

export function isCniErrorName(name: unknown): name is CniErrorName {
  return typeof name === "string" && Object.hasOwn(CNI_ERROR_CODES, name);
}

export interface CniErrorOptions extends ErrorOptions {
  /** The spec's "long error message". */
  details?: string;
}

/** An error with a CNI code. `message` is the spec's `msg`. */
export class CniError extends CodedError<CniErrorName> {
  readonly details: string | undefined;

  constructor(name: CniErrorName, msg: string, options: CniErrorOptions = {}) {
    super(name, msg, options);
    this.name = "CniError";
    this.details = options.details;
  }

  /** The number on the wire. */
  get cniCode(): CniErrorCode {
    return CNI_ERROR_CODES[this.code];
  }

  get msg(): string {
    return this.message;
  }
}

/** The error result a plugin prints on stdout. `details` is omitted when empty. */
export interface CniErrorResult {
  cniVersion: string;
  code: number;
  msg: string;
  details?: string;
}

/** Codes of src/common (and of src/api's schemas) that have a fitting CNI code. */
const COMMON_CODE_MAP: Readonly<Record<string, CniErrorName>> = {
  INVALID_CONFIG: "INVALID_NETWORK_CONFIG",
  CORRUPT: "DECODE_FAILURE",
  TIMEOUT: "TRY_AGAIN_LATER",
  EXEC_NOT_FOUND: "DELEGATE_NOT_FOUND",
  EXEC_NOT_EXECUTABLE: "DELEGATE_NOT_FOUND",
};

const MAX_CAUSE_DEPTH = 16;

/** The first error on the cause chain that carries a CNI code (directly or through COMMON_CODE_MAP). */
function codedLink(err: unknown): { name: CniErrorName; error: Error } | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && current instanceof Error; depth++) {
    if (current instanceof CodedError) {
      const code: unknown = current.code;
      const link: Error = current;
      if (isCniErrorName(code)) return { name: code, error: link };
      const mapped = typeof code === "string" ? COMMON_CODE_MAP[code] : undefined;
      if (mapped !== undefined) return { name: mapped, error: link };
    }
    current = current.cause;
  }
  return undefined;
}

/**
 * Any thrown value as a CniError. A CniError is returned as it is. Otherwise the code comes from the
 * first coded link of the cause chain (default INTERNAL), the message is the whole chain in one line
 * (`errorMessage`), and the details are those of the CniError found, if any.
 */
export function toCniError(err: unknown): CniError {
  if (err instanceof CniError) return err;
  const link = codedLink(err);
  const details = link?.error instanceof CniError ? link.error.details : undefined;
  return new CniError(link?.name ?? "INTERNAL", errorMessage(err), { cause: err, details });
}

/** The error result for `err` (anything thrown) in the given spec version. */
export function renderCniError(err: unknown, cniVersion: string): CniErrorResult {
  const cniError = toCniError(err);
  const result: CniErrorResult = { cniVersion, code: cniError.cniCode, msg: cniError.msg };
  if (cniError.details !== undefined && cniError.details !== "") result.details = cniError.details;
  return result;
}
