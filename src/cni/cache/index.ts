// The attachment cache: what makes DEL work without the API server.
export * from "./attachment-cache.ts";
export * from "./cache-key.ts";
export * from "./entry.ts";
export * from "./entry-schema.ts";
export * from "./plan.ts";
