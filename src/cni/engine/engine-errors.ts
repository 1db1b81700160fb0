// Errors at the engine's edge: every failure leaves as a CniError whose message names the pod, the
// network and the cause (`pod ns/a: network "ns/b" (net1): plugin macvlan failed (add): ...`), with the
// code of the first coded error on the cause chain unless the caller decides it.
import { errorMessage } from "../../common/errors.ts";
import { CniError, toCniError } from "../protocol/errors.ts";
import type { CniErrorName } from "../protocol/errors.ts";
import type { SelectionError, SelectionErrorCode } from "../selection/types.ts";

/** `context: cause` as a CniError; the code is `name`, else the cause's (INTERNAL when it has none). */
export function failure(context: string, cause: unknown, name?: CniErrorName): CniError {
  const coded = toCniError(cause);
  return new CniError(name ?? coded.code, `${context}: ${errorMessage(cause)}`, {
    cause,
    details: coded.details,
  });
}

/** A CniError of our own, with no cause. */
export function problem(name: CniErrorName, message: string, details?: string): CniError {
  return new CniError(name, message, { details });
}

const SELECTION_TO_CNI: Readonly<Record<SelectionErrorCode, CniErrorName>> = {
  INVALID_ANNOTATION: "INVALID_ANNOTATION",
  INVALID_NETWORK_STATUS: "INTERNAL",
  INVALID_INTERFACE_NAME: "INVALID_ANNOTATION",
  INTERFACE_NAME_CONFLICT: "INVALID_ANNOTATION",
  NAMESPACE_ISOLATION: "NAMESPACE_ISOLATION",
  DEFAULT_ROUTE_CONFLICT: "INVALID_ANNOTATION",
};

/** A refused selection decision as a CniError, its message prefixed with `context` unless "". */
export function selectionFailure(context: string, error: SelectionError): CniError {
  const message = context === "" ? error.message : `${context}: ${error.message}`;
  return new CniError(SELECTION_TO_CNI[error.code], message, { cause: error });
}

const MAX_CAUSE_DEPTH = 16;

/**
 * Whether a port's error says "the object is gone": an error on the cause chain with HTTP `status` 404,
 * `reason` "NotFound" (src/k8s ApiError) or code "NOT_FOUND" (src/common). Ports should rather answer
 * `undefined`; this keeps a writer that throws for a deleted pod from failing an ADD (Multus tolerates it).
 */
export function isNotFoundError(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && current instanceof Error; depth++) {
    const fields = current as { status?: unknown; reason?: unknown; code?: unknown };
    if (fields.status === 404 || fields.reason === "NotFound" || fields.code === "NOT_FOUND") return true;
    current = current.cause;
  }
  return false;
}
