// The CNI server's HTTP API (thick mode), shared by the server and the shim. HTTP/1.1 over a unix socket,
// one request per connection (the shim runs once per CNI call):
//
//   POST /cni     body {"env": {CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS, CNI_PATH},
//                       "config": "<stdin text>"}
//                 200 {"exitCode": 0|1, "stdout": "<what the plugin prints>"}: the CNI answer, errors
//                 included (a CNI error is an answer, not an HTTP failure). 503 with the same body shape
//                 (a code 11 CNI error) when the server is stopping or its queue is full; 400/404/405/413
//                 with a text body for requests that are not CNI calls.
//   GET /healthz  200 "ok" while the process serves.
//   GET /readyz   200 "ok" once the informer caches have synced and until stop begins, else 503 + reason.
//
// Multus's daemon takes `{env, config: <base64 stdin>}` and answers `{"Result": ...}` or a 400 with the CNI
// error; here the reply is the plugin's stdout and exit code as they are, so the shim prints them
// unchanged and both sides agree on errors by construction. Only CNI_* variables travel (Multus sends the
// shim's whole environment): the server's delegates run with the server's own environment.
// No imports: the shim loads this on every call.
//
// Public API: `CNI_PATH_NAME`, `HEALTHZ_PATH`, `READYZ_PATH`, `CNI_ENV_KEYS`, `CniCallBody`, `CniCallReply`,
// `cniEnvOf`, `parseCniCallBody`, `parseCniCallReply`, `MAX_BODY_BYTES`.

export const CNI_PATH_NAME = "/cni";
export const HEALTHZ_PATH = "/healthz";
export const READYZ_PATH = "/readyz";
/** A CNI config with a large prevResult is a few tens of KB; anything near this is not a CNI call. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** The variables of the CNI protocol (SPEC.md "Parameters"), the only ones forwarded. */
export const CNI_ENV_KEYS = [
  "CNI_COMMAND",
  "CNI_CONTAINERID",
  "CNI_NETNS",
  "CNI_IFNAME",
  "CNI_ARGS",
  "CNI_PATH",
] as const;

export interface CniCallBody {
  env: Record<string, string>;
  config: string;
}

export interface CniCallReply {
  exitCode: 0 | 1;
  stdout: string;
}

/** The CNI_* variables of an environment, unset ones left out. Pure. */
export function cniEnvOf(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of CNI_ENV_KEYS) {
    const value = env[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A /cni request body, or the reason it is not one. Only CNI_* keys of `env` are kept. Pure. */
export function parseCniCallBody(text: string): CniCallBody | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: "the request body is not JSON" };
  }
  if (!isRecord(value)) return { error: "the request body is not a JSON object" };
  if (!isRecord(value.env)) return { error: 'the request has no "env" object' };
  if (typeof value.config !== "string") return { error: 'the request has no "config" string' };
  const env: Record<string, string> = {};
  for (const key of CNI_ENV_KEYS) {
    const v = value.env[key];
    if (v === undefined) continue;
    if (typeof v !== "string") return { error: `env ${key} is not a string` };
    env[key] = v;
  }
  return { env, config: value.config };
}

/** A /cni answer, or undefined when the text is not one. Pure. */
export function parseCniCallReply(text: string): CniCallReply | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (!isRecord(value) || typeof value.stdout !== "string") return undefined;
    if (value.exitCode !== 0 && value.exitCode !== 1) return undefined;
    return { exitCode: value.exitCode, stdout: value.stdout };
  } catch {
    return undefined;
  }
}
