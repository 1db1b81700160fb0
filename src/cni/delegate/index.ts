// Running delegate CNI plugins: one plugin (run-delegate.ts), one network of them (conflist.ts,
// gc-status.ts), their stdin (plugin-config.ts, runtime-config.ts), their failures (delegate-error.ts).
export * from "./conflist.ts";
export * from "./delegate-env.ts";
export * from "./delegate-error.ts";
export * from "./delegate-types.ts";
export * from "./find-plugin.ts";
export * from "./gc-status.ts";
export * from "./json.ts";
export * from "./plugin-config.ts";
export * from "./prefixed-exec.ts";
export * from "./run-delegate.ts";
export * from "./runtime-config.ts";
