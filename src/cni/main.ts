// `netclaim cni`: the CNI plugin the container runtime executes. One invocation: CNI_* from the
// environment, the netclaim config on stdin (read whole), the reply on stdout — a result, a version
// answer, nothing, or `{cniVersion, code, msg, details}` with exit code 1. Nothing else is ever written to
// stdout: logs go to stderr and/or the log file; an unexpected exception becomes a CNI error (code 100),
// never a stack trace.
//
// Start-up is part of every pod's network set-up, so modules load by need: VERSION touches only the
// version table; a config with `daemonSocket` (thick mode) loads only the shim (shim/shim.ts), which
// forwards the call to the CNI server and prints its answer — no parsers, no engine; other commands load
// the request and config parsers, then the standalone engine, which opens the API connection (and its
// HTTP/YAML code) only at its first request. When nobody listens on the daemon socket, the shim's DEL runs
// here with the standalone engine, offline: from the attachment cache, without any API.
//
// Public API: `CniIo`, `CniDeps`, `runCni`, `daemonSocketOf`, `main`.
import type { NetConf } from "../api/netconf.ts";
import type { Logger } from "../common/logger.ts";
import type { CniReply } from "./protocol/output.ts";
import type { CniRequest } from "./protocol/skel.ts";
import type { ForwardCall, ForwardOutcome } from "./shim/forward.ts";
import type { StandaloneEngine } from "./standalone/standalone-engine.ts";

type Env = Readonly<Record<string, string | undefined>>;

export interface CniIo {
  env: Env;
  readStdin: () => Promise<Buffer>;
  writeStdout: (text: string) => Promise<void>;
  writeStderr: (text: string) => void;
  signal?: AbortSignal;
}

/** What `runCni` builds per call; tests hand in engines over fakes. */
export interface CniDeps {
  /** `env`: what the engine's API access and delegates see (default: the process's). */
  createEngine: (
    netconf: NetConf,
    logger: Logger,
    env?: Env,
  ) => Promise<Pick<StandaloneEngine, "engine" | "close">>;
  createLogger: (netconf: NetConf) => Promise<Logger>;
  /** The shim's request to the CNI server (default shim/forward.ts). */
  forward?: (call: ForwardCall) => Promise<ForwardOutcome>;
}

async function versionAnswer(): Promise<CniReply> {
  const { versionResponse } = await import("./protocol/version.ts");
  return { stdout: JSON.stringify(versionResponse(), null, 4), exitCode: 0 };
}

function defaultDeps(io: CniIo): CniDeps {
  return {
    createLogger: async (netconf) => {
      const { createCniLogger } = await import("./standalone/logging.ts");
      return createCniLogger(netconf, { warn: (line) => io.writeStderr(`${line}\n`), nowMs: Date.now });
    },
    createEngine: async (netconf, logger, env) => {
      const { createStandaloneEngine } = await import("./standalone/standalone-engine.ts");
      return createStandaloneEngine({ netconf, env: env ?? io.env, logger });
    },
  };
}

/** The config's `daemonSocket`, read from the raw stdin without the config parser; undefined: standalone. */
export function daemonSocketOf(stdin: Buffer): { socketPath: string; cniVersion: unknown } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(stdin.toString("utf8"));
  } catch {
    return undefined; // the standalone path answers the decode error
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const { daemonSocket, cniVersion } = value as Record<string, unknown>;
  // Anything else (a non-string, NUL bytes) goes to the config parser, which names the field.
  if (typeof daemonSocket !== "string" || daemonSocket === "" || daemonSocket.includes("\0"))
    return undefined;
  return { socketPath: daemonSocket, cniVersion };
}

/** The environment of the shim's local DEL: no in-cluster API either. */
function offlineEnv(env: Env): Env {
  const { KUBERNETES_SERVICE_HOST: _host, KUBERNETES_SERVICE_PORT: _port, ...rest } = env;
  return rest;
}

/** Prefixes an error reply's message with why the DEL ran here. */
function withContext(reply: CniReply, context: string): CniReply {
  if (reply.exitCode === 0) return reply;
  try {
    const error = JSON.parse(reply.stdout) as { msg?: unknown };
    const msg = `${context}; DEL ran here from the attachment cache: ${String(error.msg)}`;
    return { ...reply, stdout: JSON.stringify({ ...error, msg }, null, 4) };
  } catch {
    return reply;
  }
}

async function shimCall(
  io: CniIo,
  deps: CniDeps,
  stdin: Buffer,
  daemon: { socketPath: string; cniVersion: unknown },
): Promise<CniReply> {
  const { runShim } = await import("./shim/shim.ts");
  const forward = deps.forward ?? (await import("./shim/forward.ts")).forwardCniCall;
  return runShim({
    env: io.env,
    stdin,
    socketPath: daemon.socketPath,
    cniVersion: daemon.cniVersion,
    forward,
    localDel: async (reason) => withContext(await handle(io, deps, stdin, reason), reason),
    ...(io.signal === undefined ? {} : { signal: io.signal }),
  });
}

function describe(request: CniRequest): Record<string, unknown> {
  if (request.command === "VERSION") return { command: request.command };
  const base = { command: request.command, cniVersion: request.cniVersion };
  if (request.command === "GC" || request.command === "STATUS") return base;
  return { ...base, containerId: request.containerId, ifName: request.ifName, cniArgs: request.args.raw };
}

/** The standalone call; `offline`: the shim's local DEL (why it runs here), without any API. */
async function handle(io: CniIo, deps: CniDeps, stdin: Buffer, offline?: string): Promise<CniReply> {
  const [{ parseCniRequest }, { parseNetConf }] = await Promise.all([
    import("./protocol/skel.ts"),
    import("../api/netconf.ts"),
  ]);
  const request = parseCniRequest(io.env, stdin);
  if (request.command === "VERSION") return versionAnswer();
  const parsed = parseNetConf(request.config);
  const netconf = offline === undefined ? parsed : { ...parsed, kubeconfig: "" };
  const logger = await deps.createLogger(netconf);
  for (const warning of netconf.warnings) logger.warn(warning);
  if (offline !== undefined) logger.warn({ reason: offline }, "DEL runs here from the attachment cache");
  const started = Date.now();
  logger.debug({ ...describe(request), config: netconf.raw }, "CNI call");
  const env = offline === undefined ? undefined : offlineEnv(io.env);
  const standalone = await deps.createEngine(netconf, logger, env);
  try {
    const reply = await standalone.engine.handle(request, netconf, io.signal);
    logger.debug({ ...describe(request), exitCode: reply.exitCode, ms: Date.now() - started }, "CNI reply");
    return reply;
  } finally {
    standalone.close();
  }
}

async function errorAnswer(err: unknown, stdin: Buffer): Promise<CniReply> {
  const { errorReply, replyVersionOf } = await import("./protocol/output.ts");
  return errorReply(err, replyVersionOf(stdin));
}

/** One CNI invocation: reads, runs, writes the reply; resolves with the exit code. Never rejects. */
export async function runCni(io: CniIo, deps: CniDeps = defaultDeps(io)): Promise<0 | 1> {
  let stdin: Buffer = Buffer.alloc(0);
  let reply: CniReply;
  try {
    stdin = await io.readStdin();
    const daemon = io.env.CNI_COMMAND === "VERSION" ? undefined : daemonSocketOf(stdin);
    if (io.env.CNI_COMMAND === "VERSION") reply = await versionAnswer();
    else if (daemon !== undefined) reply = await shimCall(io, deps, stdin, daemon);
    else reply = await handle(io, deps, stdin);
  } catch (err) {
    reply = await errorAnswer(err, stdin);
  }
  await io.writeStdout(reply.stdout);
  return reply.exitCode;
}

async function readAll(stream: NodeJS.ReadStream): Promise<Buffer> {
  if (stream.isTTY) return Buffer.alloc(0); // run by hand: nothing is coming
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks);
}

function writeStdout(text: string): Promise<void> {
  if (text === "") return Promise.resolve();
  return new Promise((resolve) => process.stdout.write(text, () => resolve()));
}

/** The process entry: real stdin/stdout/env, SIGTERM aborts the call. Resolves with the exit code. */
export async function main(): Promise<number> {
  const controller = new AbortController();
  const abort = (): void => controller.abort(new Error("netclaim cni: terminated by signal"));
  process.once("SIGTERM", abort);
  process.once("SIGINT", abort);
  let answered = false;
  const io: CniIo = {
    env: process.env,
    readStdin: () => readAll(process.stdin),
    writeStdout: async (text) => {
      answered = true;
      await writeStdout(text);
    },
    writeStderr: (text) => void process.stderr.write(text),
    signal: controller.signal,
  };
  const lastResort = (err: unknown): void => {
    process.stderr.write(`netclaim cni: unexpected failure: ${String(err)}\n`);
    if (answered) process.exit(1);
    void errorAnswer(err, Buffer.alloc(0)).then(async (reply) => {
      await writeStdout(reply.stdout);
      process.exit(1);
    });
  };
  process.on("uncaughtException", lastResort);
  process.on("unhandledRejection", lastResort);
  return runCni(io);
}
