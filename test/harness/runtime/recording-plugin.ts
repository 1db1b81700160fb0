// A tiny CNI plugin for harness tests: it appends what it received (env, stdin, the netns it ran in) to a
// log file and answers like a plugin would. Behaviour comes from its config's "record" key:
//   "record": { "ifName": "x", "address": "10.1.2.3/24", "fail": { "ADD": { "code": 7, "msg": "..." } }, "sleepMs": 500 }
// ADD returns prevResult (or an empty result) plus one interface (and an IP when `address` is set);
// VERSION lists the versions it was written with; GC/STATUS without 1.1.0 among them: code 4 "unknown CNI_COMMAND".
import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface RecordedCall {
  plugin: string;
  command: string;
  env: Record<string, string>;
  /** stdin as text, and parsed (undefined when it was not JSON). */
  stdinText: string;
  stdin: Record<string, unknown> | undefined;
  /** readlink /proc/self/ns/net, e.g. "net:[4026532281]". */
  netns: string;
}

export interface RecordingPlugins {
  binDir: string;
  logFile: string;
  read(): Promise<RecordedCall[]>;
}

export const CNI_1_0_VERSIONS = ["0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0"] as const;
export const CNI_1_1_VERSIONS = [...CNI_1_0_VERSIONS, "1.1.0"] as const;

function pluginSource(logFile: string, supportedVersions: readonly string[]): string {
  // Plain CommonJS so it runs under any Node without a package.json next to it.
  return `
const fs = require("node:fs");
const path = require("node:path");
const LOG = ${JSON.stringify(logFile)};
const VERSIONS = ${JSON.stringify(supportedVersions)};
const plugin = path.basename(process.argv[1]);
const command = process.env.CNI_COMMAND || "";
let stdinText = "";
try { stdinText = fs.readFileSync(0, "utf8"); } catch {}
let conf = {};
try { conf = JSON.parse(stdinText); } catch {}
let netns = "";
try { netns = fs.readlinkSync("/proc/self/ns/net"); } catch {}
fs.appendFileSync(LOG, JSON.stringify({ plugin, command, env: { ...process.env }, stdinText, netns }) + "\\n");
process.stderr.write("recording plugin " + plugin + " " + command + "\\n");
const rec = (conf && conf.record) || {};
if (rec.sleepMs) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, rec.sleepMs);
const fail = (code, msg, details) => {
  process.stdout.write(JSON.stringify({ cniVersion: conf.cniVersion || "1.0.0", code, msg, details }));
  process.exit(1);
};
if (rec.fail && rec.fail[command]) fail(rec.fail[command].code, rec.fail[command].msg, rec.fail[command].details);
if (command === "VERSION") {
  process.stdout.write(JSON.stringify({ cniVersion: VERSIONS[VERSIONS.length - 1], supportedVersions: VERSIONS }));
  process.exit(0);
}
if ((command === "GC" || command === "STATUS") && !VERSIONS.includes("1.1.0")) fail(4, "unknown CNI_COMMAND: " + command);
if (!["ADD", "CHECK", "DEL", "GC", "STATUS"].includes(command)) fail(4, "unknown CNI_COMMAND: " + command);
if (command === "ADD") {
  const result = conf.prevResult ? JSON.parse(JSON.stringify(conf.prevResult)) : { interfaces: [], ips: [], dns: {} };
  result.cniVersion = conf.cniVersion;
  result.interfaces = result.interfaces || [];
  result.interfaces.push({ name: rec.ifName || process.env.CNI_IFNAME, sandbox: process.env.CNI_NETNS });
  if (rec.address) {
    result.ips = result.ips || [];
    result.ips.push({ address: rec.address, interface: result.interfaces.length - 1 });
  }
  process.stdout.write(JSON.stringify(result));
}
process.exit(0);
`;
}

/** Parses the log a recording plugin wrote. Pure. */
export function parseRecordedCalls(text: string): RecordedCall[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const raw = JSON.parse(line) as Omit<RecordedCall, "stdin">;
      let stdin: Record<string, unknown> | undefined;
      try {
        stdin = JSON.parse(raw.stdinText) as Record<string, unknown>;
      } catch {
        stdin = undefined;
      }
      return { ...raw, stdin };
    });
}

/**
 * Writes one recording plugin per name into `binDir` (all logging to one file, in call order).
 * `nodePath` is the interpreter in the shebang (default: this process's node).
 */
export async function writeRecordingPlugins(options: {
  binDir: string;
  names: readonly string[];
  supportedVersions?: readonly string[];
  nodePath?: string;
}): Promise<RecordingPlugins> {
  const logFile = join(options.binDir, "calls.jsonl");
  const body = pluginSource(logFile, options.supportedVersions ?? CNI_1_0_VERSIONS);
  for (const name of options.names) {
    const file = join(options.binDir, name);
    await writeFile(file, `#!${options.nodePath ?? process.execPath}\n${body}`);
    await chmod(file, 0o755);
  }
  await writeFile(logFile, "", { flag: "a" });
  return {
    binDir: options.binDir,
    logFile,
    read: async () => parseRecordedCalls(await readFile(logFile, "utf8")),
  };
}
