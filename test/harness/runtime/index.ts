// The runtime stand-in: netns helpers, a fake host, a FakeRuntime driving CNI plugins like containerd.
export * from "./capability-args.ts";
export * from "./cleanup.ts";
export * from "./cni-config.ts";
export * from "./cni-error.ts";
export * from "./fake-host.ts";
export * from "./harness.ts";
export * from "./libcni.ts";
export * from "./names.ts";
export * from "./netns.ts";
export * from "./plugin-invoker.ts";
export * from "./probe.ts";
export * from "./recording-plugin.ts";
export * from "./result-cache.ts";
export * from "./runtime.ts";
