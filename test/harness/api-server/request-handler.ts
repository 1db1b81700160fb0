// One HTTP request: authenticate, record, apply faults, route to discovery or a resource handler,
// answer JSON or a Status.
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { discoveryDocument } from "./discovery.ts";
import type { FaultInjector, RequestIdentity } from "./faults.ts";
import { handleResource } from "./handlers.ts";
import type { HandlerContext } from "./handlers.ts";
import { managerName } from "./managed-fields.ts";
import { auditVerb, isWatchParam, parsePath } from "./paths.ts";
import type { ParsedPath } from "./paths.ts";
import { ApiError, failure, methodNotAllowed, statusForCode, toApiError } from "./status-errors.ts";
import type { FaultRule, RecordedRequest } from "./types.ts";

export interface RequestDeps {
  ctx: HandlerContext;
  faults: FaultInjector;
  record: (request: RecordedRequest) => void;
  requiredToken: string | undefined;
  gitVersion: string;
  serverAddress: () => string;
  signal: AbortSignal;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function identityOf(
  method: string,
  parsed: ParsedPath,
  query: URLSearchParams,
): RequestIdentity & { group: string; version: string } {
  if (parsed.type !== "resource") {
    const version = parsed.type === "discovery" ? parsed.version : "";
    return { verb: "get", resource: "", group: parsed.type === "discovery" ? parsed.group : "", version };
  }
  const identity: RequestIdentity & { group: string; version: string } = {
    verb: auditVerb(method, parsed.name !== undefined, isWatchParam(query.get("watch"))),
    resource: parsed.resource,
    group: parsed.group,
    version: parsed.version,
  };
  if (parsed.subresource !== undefined) identity.subresource = parsed.subresource;
  if (parsed.namespace !== undefined) identity.namespace = parsed.namespace;
  if (parsed.name !== undefined) identity.name = parsed.name;
  return identity;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function route(
  deps: RequestDeps,
  parsed: ParsedPath,
  call: {
    method: string;
    query: URLSearchParams;
    body: string;
    contentType: string | undefined;
    manager: string;
    res: ServerResponse;
  },
): { status: number; body: unknown } | "streaming" | "text" {
  if (parsed.type === "health") return "text";
  if (parsed.type === "unknown") throw failure(404, "NotFound", "404 page not found");
  if (parsed.type === "discovery") {
    if (call.method !== "GET") throw methodNotAllowed();
    const doc = discoveryDocument(
      deps.ctx.registry,
      { ...parsed, serverAddress: deps.serverAddress() },
      { gitVersion: deps.gitVersion },
    );
    return { status: 200, body: doc };
  }
  const result = handleResource(deps.ctx, { ...call, ...parsed });
  return "streaming" in result ? "streaming" : result;
}

async function applyFault(
  deps: RequestDeps,
  fault: FaultRule,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<number | "continue"> {
  if (fault.delayMs !== undefined && fault.delayMs > 0) {
    await sleep(fault.delayMs, undefined, { signal: deps.signal }).catch(() => undefined);
  }
  if (deps.signal.aborted || fault.refuseConnection === true) {
    req.socket.destroy();
    return 0;
  }
  if (fault.status !== undefined) {
    const error = statusForCode(fault.status, fault.reason, fault.message, fault.retryAfterSeconds);
    sendJson(res, error.status.code, error.status, error.headers);
    return error.status.code;
  }
  return "continue";
}

/** Serves one request; never rejects. */
export async function handleRequest(
  deps: RequestDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const method = req.method ?? "GET";
  const url = new URL(req.url ?? "/", "http://stand-in");
  const parsed = parsePath(url.pathname);
  const identity = identityOf(method, parsed, url.searchParams);
  const authorization = header(req, "authorization") ?? "";
  const fieldManager = url.searchParams.get("fieldManager") ?? undefined;
  const userAgent = header(req, "user-agent");
  const contentType = header(req, "content-type");
  const recorded: RecordedRequest = {
    verb: identity.verb,
    method,
    apiGroup: identity.group,
    apiVersion: identity.version,
    resource: identity.resource,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    status: 0,
    bearerToken: /^Bearer\s+\S+/i.test(authorization),
    ...(identity.subresource === undefined ? {} : { subresource: identity.subresource }),
    ...(identity.namespace === undefined ? {} : { namespace: identity.namespace }),
    ...(identity.name === undefined ? {} : { name: identity.name }),
    ...(userAgent === undefined ? {} : { userAgent }),
    ...(fieldManager === undefined ? {} : { fieldManager }),
    ...(contentType === undefined ? {} : { contentType }),
  };
  const finish = (status: number): void => deps.record({ ...recorded, status });
  try {
    const body = await readBody(req);
    if (deps.requiredToken !== undefined && authorization !== `Bearer ${deps.requiredToken}`) {
      throw failure(401, "Unauthorized", "Unauthorized");
    }
    const fault = deps.faults.take(identity);
    if (fault !== undefined) {
      const outcome = await applyFault(deps, fault, req, res);
      if (outcome !== "continue") return finish(outcome);
    }
    const result = route(deps, parsed, {
      method,
      query: url.searchParams,
      body,
      contentType,
      manager: managerName(fieldManager, userAgent),
      res,
    });
    if (result === "streaming") return finish(200);
    if (result === "text") {
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.end("ok");
      return finish(200);
    }
    sendJson(res, result.status, result.body);
    finish(result.status);
  } catch (error) {
    const apiError = error instanceof ApiError ? error : toApiError(error);
    sendJson(res, apiError.status.code, apiError.status, apiError.headers);
    finish(apiError.status.code);
  }
}
