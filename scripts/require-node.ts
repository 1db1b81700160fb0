// Fails fast when a script runs on a Node.js older than the one the project pins (.nvmrc).
// npm puts node_modules/.bin first on PATH, so `npm run ...` uses the pinned `node` devDependency.
import { readFileSync } from "node:fs";

const pinned = readFileSync(new URL("../.nvmrc", import.meta.url), "utf8").trim();
const [pinnedMajor] = pinned.split(".");
const [major] = process.versions.node.split(".");
if (major !== pinnedMajor) {
  process.stderr.write(
    `netclaim needs Node.js ${pinned} (major ${pinnedMajor}); this is ${process.version} at ${process.execPath}.\n` +
      "Run it through npm (npm run ..., npm test), which puts the pinned node from node_modules/.bin first on PATH.\n",
  );
  process.exit(1);
}
