// Resource requests: maps method + path onto get/list/watch/create/update/patch/delete/deletecollection.
import type { ServerResponse } from "node:http";
import { fromStorage } from "./conversion.ts";
import { listPage, selectionOf } from "./list.ts";
import { applyDelete, createObject, deleteObject, keyOf, updateObject } from "./write-service.ts";
import type { ServiceContext, Target, WriteMeta } from "./write-service.ts";
import type { DeleteOptions } from "./object-rules.ts";
import { patchObject } from "./patch-service.ts";
import { groupVersion, typeKeyOf } from "./registry.ts";
import { isWatchParam } from "./paths.ts";
import { badRequest, methodNotAllowed, notFound, resourceNotServed } from "./status-errors.ts";
import type { KubeObject, ResourceDef } from "./types.ts";
import { WatchStream } from "./watch.ts";

export interface HandlerContext extends ServiceContext {
  bookmarkIntervalMs: number;
  watches: Set<WatchStream>;
}

export interface ResourceCall {
  method: string;
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  query: URLSearchParams;
  contentType: string | undefined;
  body: string;
  manager: string;
  res: ServerResponse;
}

export type HandlerResult = { status: number; body: unknown } | { streaming: true };

function parseJsonBody(body: string): KubeObject {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw new Error("not a JSON object");
    return parsed as KubeObject;
  } catch (error) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(error as Error).message}`);
  }
}

function listBody(
  def: ResourceDef,
  version: string,
  items: KubeObject[],
  metadata: Record<string, unknown>,
): unknown {
  const shown = items.map((item) => {
    const external = fromStorage(def, version, item);
    if (def.custom) return external;
    const { apiVersion: _a, kind: _k, ...rest } = external;
    return rest;
  });
  return { kind: def.listKind, apiVersion: groupVersion(def.group, version), metadata, items: shown };
}

function deleteOptionsOf(call: ResourceCall): DeleteOptions {
  const options: DeleteOptions = {};
  const body = call.body.trim() === "" ? {} : (parseJsonBody(call.body) as Record<string, unknown>);
  const grace = call.query.get("gracePeriodSeconds") ?? body["gracePeriodSeconds"];
  if (grace !== undefined && grace !== null) options.gracePeriodSeconds = Number(grace);
  if (typeof body["preconditions"] === "object" && body["preconditions"] !== null) {
    options.preconditions = body["preconditions"];
  }
  return options;
}

function watch(ctx: HandlerContext, target: Target, call: ResourceCall): HandlerResult {
  const { def, version } = target;
  const timeout = call.query.get("timeoutSeconds");
  const request = {
    def,
    typeKey: typeKeyOf(def),
    version,
    ...(target.namespace === undefined ? {} : { namespace: target.namespace }),
    ...(target.name === undefined ? {} : { name: target.name }),
    selection: selectionOf(call.query, def, version),
    resourceVersion: call.query.get("resourceVersion") ?? "",
    allowBookmarks: call.query.get("allowWatchBookmarks") === "true",
    bookmarkIntervalMs: ctx.bookmarkIntervalMs,
    ...(timeout === null ? {} : { timeoutSeconds: Number(timeout) }),
  };
  WatchStream.check(request);
  const stream = new WatchStream(ctx.store, request, call.res);
  ctx.watches.add(stream);
  stream.start(() => ctx.watches.delete(stream));
  return { streaming: true };
}

function read(ctx: HandlerContext, target: Target, call: ResourceCall): HandlerResult {
  const { def, version } = target;
  if (isWatchParam(call.query.get("watch"))) return watch(ctx, target, call);
  if (target.name !== undefined) {
    const obj = ctx.store.get(typeKeyOf(def), keyOf(target));
    if (obj === undefined) throw notFound(def, target.name);
    return { status: 200, body: fromStorage(def, version, obj) };
  }
  const page = listPage(ctx.store, {
    def,
    typeKey: typeKeyOf(def),
    version,
    namespace: target.namespace,
    query: call.query,
  });
  const metadata: Record<string, unknown> = { resourceVersion: page.resourceVersion };
  if (page.continue !== undefined) metadata["continue"] = page.continue;
  if (page.remainingItemCount !== undefined) metadata["remainingItemCount"] = page.remainingItemCount;
  return { status: 200, body: listBody(def, version, page.items, metadata) };
}

function remove(ctx: HandlerContext, target: Target, call: ResourceCall, meta: WriteMeta): HandlerResult {
  const { def, version } = target;
  const options = deleteOptionsOf(call);
  if (target.name === undefined) {
    const page = listPage(ctx.store, {
      def,
      typeKey: typeKeyOf(def),
      version,
      namespace: target.namespace,
      query: call.query,
    });
    const results = page.items.map((obj) => applyDelete(ctx, target, obj, options, meta.dryRun).object);
    return {
      status: 200,
      body: listBody(def, version, results, { resourceVersion: String(ctx.store.resourceVersion) }),
    };
  }
  const outcome = deleteObject(ctx, target, options, meta.dryRun);
  if (!outcome.removed || def.returnDeletedObject)
    return { status: 200, body: fromStorage(def, version, outcome.object) };
  const details: Record<string, unknown> = {
    name: target.name,
    kind: def.plural,
    uid: outcome.object.metadata?.uid,
  };
  if (def.group !== "") details["group"] = def.group;
  return {
    status: 200,
    body: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details },
  };
}

function write(ctx: HandlerContext, target: Target, call: ResourceCall): HandlerResult {
  const { def, version } = target;
  const meta: WriteMeta = { manager: call.manager, dryRun: call.query.getAll("dryRun").includes("All") };
  const named = target.name !== undefined;
  switch (call.method) {
    case "POST":
      if (named || target.subresource !== "") throw methodNotAllowed();
      return {
        status: 201,
        body: fromStorage(def, version, createObject(ctx, target, parseJsonBody(call.body), meta)),
      };
    case "PUT":
      if (!named) throw methodNotAllowed();
      return {
        status: 200,
        body: fromStorage(def, version, updateObject(ctx, target, parseJsonBody(call.body), meta)),
      };
    case "PATCH": {
      if (!named) throw methodNotAllowed();
      const force = call.query.get("force");
      const outcome = patchObject(
        ctx,
        target,
        {
          contentType: call.contentType,
          body: call.body,
          fieldManager: call.query.get("fieldManager") ?? undefined,
          force: force === null ? undefined : force === "true",
        },
        meta,
      );
      return { status: outcome.created ? 201 : 200, body: fromStorage(def, version, outcome.object) };
    }
    case "DELETE":
      if (target.subresource !== "") throw methodNotAllowed();
      return remove(ctx, target, call, meta);
    default:
      throw methodNotAllowed();
  }
}

/** Resolves the resource and scope, then serves the request. */
export function handleResource(ctx: HandlerContext, call: ResourceCall): HandlerResult {
  const def = ctx.registry.served(call.group, call.version, call.resource);
  if (def === undefined) throw resourceNotServed();
  const subresource = call.subresource ?? "";
  if (subresource !== "" && !(subresource === "status" && def.statusSubresource)) throw resourceNotServed();
  if (!def.namespaced && call.namespace !== undefined) throw resourceNotServed();
  const needsNamespace = call.name !== undefined || call.method === "POST";
  if (def.namespaced && call.namespace === undefined && needsNamespace) throw resourceNotServed();
  const target: Target = { def, version: call.version, subresource };
  if (call.namespace !== undefined) target.namespace = call.namespace;
  if (call.name !== undefined) target.name = call.name;
  if (call.method === "GET" || call.method === "HEAD") return read(ctx, target, call);
  return write(ctx, target, call);
}
