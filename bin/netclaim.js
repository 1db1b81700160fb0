#!/usr/bin/env node
// Entry point of the `netclaim` executable: the compiled CLI lives in dist/ (npm run build).
await import("../dist/cli/main.js");
