// Reachability checks between netns without assuming `ping` is installed: a one-shot TCP echo server
// (a node child inside the target netns) and a client (a node child inside the source netns) that
// retries until the server listens. Both are run-to-completion children with deadlines.
import { randomBytes, randomInt } from "node:crypto";
import type { Netns, NetnsManager } from "./netns.ts";

export const DEFAULT_PROBE_TIMEOUT_MS = 5_000;

const SERVER_JS = `
const net = require("node:net");
const [address, port, deadlineMs] = process.argv.slice(1);
const server = net.createServer((socket) => {
  socket.once("data", (data) => socket.end("echo:" + data.toString(), () => server.close(() => process.exit(0))));
});
server.on("error", (err) => { console.error(String(err)); process.exit(3); });
server.listen(Number(port), address);
setTimeout(() => { console.error("no client before the deadline"); process.exit(2); }, Number(deadlineMs)).unref();
`;

const CLIENT_JS = `
const net = require("node:net");
const [address, port, nonce, deadlineMs] = process.argv.slice(1);
const deadline = Date.now() + Number(deadlineMs);
let lastError = "";
function attempt() {
  if (Date.now() > deadline) { console.error("no echo before the deadline; last error: " + lastError); process.exit(2); }
  const socket = net.connect({ host: address, port: Number(port), timeout: 1000 });
  let reply = "";
  socket.on("connect", () => socket.write(nonce));
  socket.on("data", (d) => { reply += d.toString(); });
  socket.on("end", () => { process.stdout.write(reply); process.exit(0); });
  socket.on("timeout", () => socket.destroy(new Error("connect timeout")));
  socket.on("error", (err) => { lastError = String(err); setTimeout(attempt, 50); });
}
attempt();
`;

export interface TcpProbeOptions {
  netns: NetnsManager;
  from: Netns;
  to: Netns;
  /** The address to reach, as the `from` side sees it. */
  address: string;
  port?: number;
  timeoutMs?: number;
  /** Node binary for the two children (default: this process's). */
  nodePath?: string;
}

/** Resolves when a TCP round trip from `from` to `address` in `to` works; throws with both sides' stderr otherwise. */
export async function probeTcp(options: TcpProbeOptions): Promise<void> {
  const node = options.nodePath ?? process.execPath;
  const port = String(options.port ?? randomInt(20_000, 60_000));
  const deadline = String(options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS);
  const nonce = randomBytes(8).toString("hex");
  const execTimeoutMs = Number(deadline) + 5_000;
  const [server, client] = await Promise.all([
    options.netns.run(options.to, [node, "-e", SERVER_JS, options.address, port, deadline], {
      timeoutMs: execTimeoutMs,
    }),
    options.netns.run(options.from, [node, "-e", CLIENT_JS, options.address, port, nonce, deadline], {
      timeoutMs: execTimeoutMs,
    }),
  ]);
  if (client.code !== 0 || client.stdout !== `echo:${nonce}` || server.code !== 0) {
    throw new Error(
      `TCP probe ${options.from.name} -> ${options.address}:${port} (${options.to.name}) failed: ` +
        `client exit ${client.code} "${client.stdout}" ${client.stderr.trim()}; server exit ${server.code} ${server.stderr.trim()}`,
    );
  }
}

/** `ping -c1` from `from` to `address`, when ping is installed; undefined when it is not. */
export async function pingOnce(
  netns: NetnsManager,
  from: Netns,
  address: string,
): Promise<boolean | undefined> {
  const result = await netns.run(from, [
    "sh",
    "-c",
    'command -v ping >/dev/null || exit 127; exec ping -c1 -W2 "$0"',
    address,
  ]);
  if (result.code === 127) return undefined;
  return result.code === 0;
}
