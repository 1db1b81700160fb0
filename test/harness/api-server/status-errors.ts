// metav1.Status failures, worded like k8s.io/apimachinery/pkg/api/errors builds them.
import type { ResourceDef } from "./types.ts";

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
  type?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface StatusObject {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure" | "Success";
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** A failure answered as a Status object with its HTTP code. */
export class ApiError extends Error {
  readonly status: StatusObject;
  readonly headers: Record<string, string>;

  constructor(status: StatusObject, headers: Record<string, string> = {}) {
    super(status.message ?? status.reason ?? `status ${status.code}`);
    this.status = status;
    this.headers = headers;
  }
}

export function failure(code: number, reason: string, message: string, details?: StatusDetails): ApiError {
  const status: StatusObject = {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    code,
  };
  if (details !== undefined) status.details = details;
  return new ApiError(status);
}

/** `pods` or `resourceclaims.resource.k8s.io`: how errors name a resource. */
export function qualifiedResource(def: Pick<ResourceDef, "group" | "plural">): string {
  return def.group === "" ? def.plural : `${def.plural}.${def.group}`;
}

function qualifiedKind(def: Pick<ResourceDef, "group" | "kind">): string {
  return def.group === "" ? def.kind : `${def.kind}.${def.group}`;
}

function resourceDetails(def: Pick<ResourceDef, "group" | "plural">, name: string): StatusDetails {
  const details: StatusDetails = { name, kind: def.plural };
  if (def.group !== "") details.group = def.group;
  return details;
}

export function notFound(def: Pick<ResourceDef, "group" | "plural">, name: string): ApiError {
  return failure(
    404,
    "NotFound",
    `${qualifiedResource(def)} "${name}" not found`,
    resourceDetails(def, name),
  );
}

export function alreadyExists(def: Pick<ResourceDef, "group" | "plural">, name: string): ApiError {
  return failure(
    409,
    "AlreadyExists",
    `${qualifiedResource(def)} "${name}" already exists`,
    resourceDetails(def, name),
  );
}

export const MODIFIED_MESSAGE =
  "the object has been modified; please apply your changes to the latest version and try again";

/** 409 Conflict: "Operation cannot be fulfilled on pods \"x\": <reason>". */
export function conflict(
  def: Pick<ResourceDef, "group" | "plural">,
  name: string,
  reason = MODIFIED_MESSAGE,
): ApiError {
  return failure(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualifiedResource(def)} "${name}": ${reason}`,
    resourceDetails(def, name),
  );
}

export interface FieldError {
  field: string;
  /** FieldValueRequired, FieldValueInvalid, FieldValueForbidden, ... */
  reason: string;
  /** Full detail after the field, e.g. `Required value: name or generateName is required`. */
  detail: string;
}

/** 422 Invalid: "Pod \"x\" is invalid: metadata.name: Required value: ...". */
export function invalid(
  def: Pick<ResourceDef, "group" | "kind">,
  name: string,
  errors: readonly FieldError[],
): ApiError {
  const text = errors.map((e) => `${e.field}: ${e.detail}`);
  const joined = text.length === 1 ? text[0] : `[${text.join(", ")}]`;
  const details: StatusDetails = {
    name,
    kind: def.kind,
    causes: errors.map((e) => ({ reason: e.reason, message: e.detail, field: e.field })),
  };
  if (def.group !== "") details.group = def.group;
  return failure(422, "Invalid", `${qualifiedKind(def)} "${name}" is invalid: ${joined}`, details);
}

export function badRequest(message: string): ApiError {
  return failure(400, "BadRequest", message);
}

/** 410 Expired, as the watch cache and etcd compaction answer. */
export function expired(message: string): ApiError {
  return failure(410, "Expired", message);
}

export function methodNotAllowed(): ApiError {
  return failure(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
}

export function resourceNotServed(): ApiError {
  return failure(404, "NotFound", "the server could not find the requested resource", {});
}

export function unsupportedMediaType(contentType: string, accepted: readonly string[]): ApiError {
  return failure(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`,
    { causes: [{ type: "UnsupportedMediaType", message: contentType }] },
  );
}

export function tooLargeResourceVersion(requested: number, current: number): ApiError {
  return failure(504, "Timeout", `Too large resource version: ${requested}, current: ${current}`, {
    causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
    retryAfterSeconds: 1,
  });
}

const DEFAULT_REASONS: Record<number, [string, string]> = {
  400: ["BadRequest", "the server rejected our request for an unknown reason"],
  401: ["Unauthorized", "Unauthorized"],
  403: ["Forbidden", "forbidden"],
  404: ["NotFound", "the server could not find the requested resource"],
  405: ["MethodNotAllowed", "the server does not allow this method on the requested resource"],
  409: ["Conflict", "the server reported a conflict"],
  410: ["Expired", "the resource has expired"],
  422: ["Invalid", "the server rejected our request due to an error in our request"],
  429: ["TooManyRequests", "the server has received too many requests and has asked us to try again later"],
  500: ["InternalError", "an error on the server has prevented the request from succeeding"],
  503: ["ServiceUnavailable", "the server is currently unable to handle the request"],
  504: [
    "Timeout",
    "the server was unable to return a response in the time allotted, but may still be processing the request",
  ],
};

/** A Status for an arbitrary code (fault injection), reason and message defaulting per code. */
export function statusForCode(
  code: number,
  reason?: string,
  message?: string,
  retryAfterSeconds?: number,
): ApiError {
  const [defaultReason, defaultMessage] = DEFAULT_REASONS[code] ?? ["InternalError", `status ${code}`];
  const details: StatusDetails | undefined =
    retryAfterSeconds === undefined ? undefined : { retryAfterSeconds };
  const error = failure(code, reason ?? defaultReason, message ?? defaultMessage, details);
  if (retryAfterSeconds !== undefined) error.headers["Retry-After"] = String(retryAfterSeconds);
  return error;
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return failure(500, "InternalError", `Internal error occurred: ${message}`, { causes: [{ message }] });
}
