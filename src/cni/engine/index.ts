// The CNI engine: CniEngine (engine.ts), its ports (ports.ts) and the production route applier.
export * from "./engine.ts";
export * from "./ip-route-applier.ts";
export * from "./plan-attachments.ts";
export type * from "./ports.ts";
