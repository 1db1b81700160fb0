// LIST semantics: resourceVersion / resourceVersionMatch, limit + continue over a consistent snapshot,
// label and field selectors.
import { isEmptySelection, matchesSelection, parseFieldSelector, parseLabelSelector } from "./selectors.ts";
import type { Selection } from "./selectors.ts";
import { badRequest, expired, failure, tooLargeResourceVersion } from "./status-errors.ts";
import { objectKey } from "./store.ts";
import type { ObjectStore } from "./store.ts";
import type { KubeObject, ResourceDef } from "./types.ts";

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

const CONTINUE_TOO_OLD =
  "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

export function encodeContinue(rv: number, lastKey: string): string {
  const token: ContinueToken = { v: "meta.k8s.io/v1", rv, start: `${lastKey}\u0000` };
  return Buffer.from(JSON.stringify(token)).toString("base64url");
}

export function decodeContinue(value: string): ContinueToken {
  try {
    const token = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as Partial<ContinueToken>;
    if (token.v !== "meta.k8s.io/v1" || typeof token.rv !== "number" || typeof token.start !== "string") {
      throw new Error("unexpected token shape");
    }
    return { v: token.v, rv: token.rv, start: token.start };
  } catch (error) {
    throw badRequest(`continue key is not valid: ${(error as Error).message}`);
  }
}

function listOptionsInvalid(field: string, detail: string): never {
  throw failure(422, "Invalid", `ListOptions.meta.k8s.io "" is invalid: ${field}: ${detail}`, {
    group: "meta.k8s.io",
    kind: "ListOptions",
    causes: [{ reason: "FieldValueForbidden", message: detail, field }],
  });
}

function parseRv(value: string): number {
  if (!/^\d+$/.test(value))
    throw badRequest(`Invalid value: "${value}": resourceVersion must be a non-negative integer`);
  return Number(value);
}

export function selectionOf(query: URLSearchParams, def: ResourceDef, version: string): Selection {
  return {
    labels: parseLabelSelector(query.get("labelSelector")),
    fields: parseFieldSelector(query.get("fieldSelector"), def, version),
  };
}

interface ReadPoint {
  rv: number;
  objects: KubeObject[];
  startKey?: string;
}

function readPoint(store: ObjectStore, typeKey: string, query: URLSearchParams): ReadPoint {
  const rvParam = query.get("resourceVersion") ?? "";
  const match = query.get("resourceVersionMatch") ?? "";
  const continueParam = query.get("continue") ?? "";
  const limited = Number(query.get("limit") ?? "0") > 0;
  const current = store.resourceVersion;
  if (continueParam !== "") {
    if (rvParam !== "" && rvParam !== "0")
      throw badRequest("specifying resource version is not allowed when using continue");
    const token = decodeContinue(continueParam);
    const objects = store.snapshotAt(token.rv, typeKey);
    if (objects === "expired") throw expired(CONTINUE_TOO_OLD);
    return { rv: token.rv, objects, startKey: token.start };
  }
  if (match !== "" && rvParam === "")
    listOptionsInvalid(
      "resourceVersionMatch",
      "Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided",
    );
  if (match !== "" && match !== "Exact" && match !== "NotOlderThan") {
    listOptionsInvalid(
      "resourceVersionMatch",
      `Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`,
    );
  }
  if (match === "Exact" && rvParam === "0")
    listOptionsInvalid(
      "resourceVersionMatch",
      'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
    );
  if (rvParam === "" || rvParam === "0") return { rv: current, objects: store.list(typeKey) };
  const rv = parseRv(rvParam);
  if (rv > current) throw tooLargeResourceVersion(rv, current);
  const exact = match === "Exact" || (match === "" && limited);
  if (!exact) return { rv: current, objects: store.list(typeKey) };
  const objects = store.snapshotAt(rv, typeKey);
  if (objects === "expired") throw expired("The resourceVersion for the provided list is too old.");
  return { rv, objects };
}

/** The page of objects a LIST returns, in the stored shape. */
export function listPage(
  store: ObjectStore,
  request: { def: ResourceDef; typeKey: string; version: string; namespace?: string; query: URLSearchParams },
): ListResult {
  const { def, typeKey, version, namespace, query } = request;
  const selection = selectionOf(query, def, version);
  const limitParam = query.get("limit");
  const limit = limitParam === null || limitParam === "" ? 0 : Number(limitParam);
  if (!Number.isInteger(limit) || limit < 0) throw badRequest(`invalid limit: ${limitParam ?? ""}`);
  const point = readPoint(store, typeKey, query);
  const keyOf = (o: KubeObject): string => objectKey(o.metadata?.namespace, o.metadata?.name ?? "");
  const matching = point.objects.filter(
    (o) =>
      (namespace === undefined || o.metadata?.namespace === namespace) &&
      (point.startKey === undefined || keyOf(o) >= point.startKey) &&
      matchesSelection(selection, o),
  );
  const resourceVersion = String(point.rv);
  if (limit === 0 || matching.length <= limit) return { items: matching, resourceVersion };
  const items = matching.slice(0, limit);
  const last = items[items.length - 1];
  const result: ListResult = {
    items,
    resourceVersion,
    continue: encodeContinue(point.rv, last === undefined ? "" : keyOf(last)),
  };
  if (isEmptySelection(selection)) result.remainingItemCount = matching.length - limit;
  return result;
}
