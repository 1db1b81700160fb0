// Makes the stand-in API server (TCP on 127.0.0.1 of the test's netns) reachable at the same address and
// port from inside the fake host netns, where the runtime stand-in runs `netclaim cni`. Loopback is per
// netns, so a relay is needed: a node child inside the fake host listens on 127.0.0.1:<port> and pipes
// each connection to a unix socket (unix sockets live in the file system, not in a netns); this process
// relays each HTTP request arriving on the unix socket to the API server, keeping a copy of the writes
// (method, path, body: what the plugin asked the API server to store). The kubeconfig of the API server
// then works unchanged inside the fake host. A refused or dropped upstream connection drops the downstream
// one without an answer, so "the API server is down" (stop(), refuseConnection faults) looks the same to
// the plugin as without the relay.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createServer, request } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { join } from "node:path";
import { commandInNetns } from "../../../harness/runtime/index.ts";
import type { Netns, NetnsTools } from "../../../harness/runtime/index.ts";

const CHILD_JS = `
const net = require("node:net");
const [port, sock] = process.argv.slice(1);
const server = net.createServer((down) => {
  const up = net.connect(sock);
  down.pipe(up); up.pipe(down);
  const end = () => { down.destroy(); up.destroy(); };
  down.on("error", end); up.on("error", end); down.on("close", end); up.on("close", end);
});
server.on("error", (err) => { console.error(String(err)); process.exit(3); });
server.listen(Number(port), "127.0.0.1", () => process.stdout.write("ready\\n"));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
`;

export interface RecordedWrite {
  method: string;
  path: string;
  body: string;
}

export interface ApiBridge {
  /** The write requests relayed so far (not GETs), oldest first. */
  readonly writes: RecordedWrite[];
  close(): Promise<void>;
}

function relay(apiPort: number, writes: RecordedWrite[], down: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  down.on("data", (c: Buffer) => chunks.push(c));
  down.on("end", () => {
    const body = Buffer.concat(chunks);
    const method = down.method ?? "GET";
    if (method !== "GET") writes.push({ method, path: down.url ?? "", body: body.toString("utf8") });
    const up = request(
      { host: "127.0.0.1", port: apiPort, method, path: down.url, headers: down.headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on("error", () => down.socket.destroy()); // no answer, like the server itself going away
    up.end(body);
  });
}

async function listenUnix(path: string, apiPort: number, writes: RecordedWrite[]): Promise<Server> {
  const server = createServer((down, res) => relay(apiPort, writes, down, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => resolve());
  });
  return server;
}

async function startChild(file: string, args: string[]): Promise<ChildProcess> {
  const child = spawn(file, args, { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`API bridge child not ready: ${stderr}`)), 10_000);
    child.stdout?.on("data", (d: Buffer) => {
      if (d.toString().includes("ready")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`API bridge child exited ${code}: ${stderr}`));
    });
  });
  return child;
}

/** Relays 127.0.0.1:<apiPort> of `netns` to the API server on 127.0.0.1:<apiPort> here. */
export async function startApiBridge(options: {
  netns: Netns;
  tools?: NetnsTools;
  apiUrl: string;
  /** A directory for the unix socket. */
  dir: string;
}): Promise<ApiBridge> {
  const port = Number(new URL(options.apiUrl).port);
  const sock = join(options.dir, "api-bridge.sock");
  const writes: RecordedWrite[] = [];
  const relayServer = await listenUnix(sock, port, writes);
  const { file, args } = commandInNetns(
    options.netns,
    [process.execPath, "-e", CHILD_JS, String(port), sock],
    options.tools,
  );
  let child: ChildProcess;
  try {
    child = await startChild(file, args);
  } catch (err) {
    relayServer.close();
    throw err;
  }
  return {
    writes,
    close: async () => {
      const exited = new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        else child.once("exit", () => resolve());
      });
      child.stdin?.end();
      child.kill("SIGTERM");
      await exited;
      relayServer.closeAllConnections();
      await new Promise<void>((resolve) => relayServer.close(() => resolve()));
    },
  };
}
