// Start-up cost of the `netclaim` executable, as a ratio against the floor measured in the same run:
// a bare `node -e 0` on the same pinned Node. Each is measured with and without NODE_EXTRA_CA_CERTS,
// which this environment sets and which makes Node read a CA bundle at start.
//   npm run bench:startup [-- --runs 30]
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { runs: { type: "string", default: "30" } } });
const runs = Number(values.runs);
const cli = new URL("../src/cli/main.ts", import.meta.url).pathname;

type Case = { name: string; args: string[] };
const cases: Case[] = [
  { name: "floor: node -e 0", args: ["-e", "0"] },
  { name: "netclaim --version (src, type-stripped)", args: [cli, "--version"] },
];

function envWith(ca: boolean): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (!ca) delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

function medianMs(args: string[], env: NodeJS.ProcessEnv): number {
  const samples: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { env, stdio: "ignore" });
    if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}`);
    if (i >= 3) samples.push(Number(process.hrtime.bigint() - start) / 1e6); // 3 warm-up runs
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? Number.NaN;
}

const caSet = process.env.NODE_EXTRA_CA_CERTS !== undefined;
console.log(
  `node ${process.version}, ${runs} runs each, medians; NODE_EXTRA_CA_CERTS is ${caSet ? "set" : "unset"}`,
);
for (const ca of caSet ? [true, false] : [false]) {
  const env = envWith(ca);
  const floor = medianMs(cases[0]!.args, env);
  for (const c of cases) {
    const ms = c === cases[0] ? floor : medianMs(c.args, env);
    const label = `${c.name} ${ca ? "(with CA env)" : "(CA env unset)"}`;
    console.log(`${label.padEnd(62)} ${ms.toFixed(1).padStart(7)} ms  ${(ms / floor).toFixed(2)}x floor`);
  }
}
