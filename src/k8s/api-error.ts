// Errors from the API server, normalised: HTTP status + metav1.Status reason + message, and the
// predicates callers branch on (mirroring apimachinery's errors.IsConflict, IsNotFound, ...).

/** The metav1.Status object the API server returns for failures (and in watch ERROR events). */
export interface KubeStatus {
  kind?: string;
  apiVersion?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: { reason?: string; message?: string; field?: string }[];
    retryAfterSeconds?: number;
  };
}

export interface ApiErrorInit {
  status: number;
  reason: string;
  message: string;
  /** "GET /api/v1/namespaces/x/pods/y", for the error message. */
  request?: string;
  details?: KubeStatus["details"];
  cause?: unknown;
}

/** Reason used when the server sent no metav1.Status (or an unreadable one). */
export const REASON_UNKNOWN = "Unknown";

/** metav1.StatusReason values for the HTTP codes that carry no body of their own. */
const REASON_BY_STATUS: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  406: "NotAcceptable",
  409: "Conflict",
  410: "Gone",
  415: "UnsupportedMediaType",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly status: number;
  readonly reason: string;
  /** The server's own message, without the request context prefixed to `message`. */
  readonly statusMessage: string;
  readonly request: string | undefined;
  readonly details: KubeStatus["details"];

  constructor(init: ApiErrorInit) {
    const prefix = init.request === undefined ? "" : `${init.request}: `;
    super(`${prefix}${init.status} ${init.reason}: ${init.message}`, { cause: init.cause });
    this.status = init.status;
    this.reason = init.reason;
    this.statusMessage = init.message;
    this.request = init.request;
    this.details = init.details;
  }

  /** An ApiError from a metav1.Status (watch ERROR events carry one). */
  static fromStatus(status: KubeStatus, request?: string, httpStatus?: number): ApiError {
    const code = status.code ?? httpStatus ?? 500;
    return new ApiError({
      status: code,
      reason: status.reason || REASON_BY_STATUS[code] || REASON_UNKNOWN,
      message: status.message ?? "",
      request,
      details: status.details,
    });
  }

  /** An ApiError from a failed HTTP response; the body is a metav1.Status when the server sent one. */
  static fromResponse(httpStatus: number, bodyText: string, request?: string): ApiError {
    const status = parseStatus(bodyText);
    if (status !== undefined)
      return ApiError.fromStatus({ ...status, code: httpStatus }, request, httpStatus);
    return new ApiError({
      status: httpStatus,
      reason: REASON_BY_STATUS[httpStatus] ?? REASON_UNKNOWN,
      message: bodyText.trim().slice(0, 500),
      request,
    });
  }
}

function parseStatus(bodyText: string): KubeStatus | undefined {
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (typeof parsed === "object" && parsed !== null && (parsed as KubeStatus).kind === "Status") {
      return parsed;
    }
  } catch {
    // not JSON: the caller keeps the raw text as the message
  }
  return undefined;
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

/** apimachinery semantics: match the reason; fall back to the code only when the reason is unknown. */
function hasReasonOrCode(err: unknown, reasons: readonly string[], code: number): boolean {
  if (!isApiError(err)) return false;
  if (reasons.includes(err.reason)) return true;
  return err.reason === REASON_UNKNOWN && err.status === code;
}

/** 409 Conflict: an update with a stale resourceVersion (not AlreadyExists, which is also 409). */
export function isConflict(err: unknown): boolean {
  return hasReasonOrCode(err, ["Conflict"], 409);
}

/** A create of a name that is taken (409 with reason AlreadyExists; no code fallback, as in apimachinery). */
export function isAlreadyExists(err: unknown): boolean {
  return isApiError(err) && err.reason === "AlreadyExists";
}

export function isNotFound(err: unknown): boolean {
  return hasReasonOrCode(err, ["NotFound"], 404);
}

/** 410: the resourceVersion is too old (reason Expired since 1.18, Gone before). */
export function isGone(err: unknown): boolean {
  return isApiError(err) && (err.status === 410 || err.reason === "Expired" || err.reason === "Gone");
}

export function isTooManyRequests(err: unknown): boolean {
  return hasReasonOrCode(err, ["TooManyRequests"], 429);
}

export function isInternalError(err: unknown): boolean {
  return hasReasonOrCode(err, ["InternalError"], 500);
}

/** "Too large resource version": the server has not caught up with the RV asked for. */
export function isTooLargeResourceVersion(err: unknown): boolean {
  if (!isApiError(err)) return false;
  if (err.details?.causes?.some((c) => c.reason === "ResourceVersionTooLarge")) return true;
  return err.status === 504 && /too large resource version/i.test(err.statusMessage);
}

/** A transport-level "connection refused" anywhere in the cause chain (the server is not up yet). */
export function isConnectionRefused(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    if ((e as { code?: unknown }).code === "ECONNREFUSED") return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
