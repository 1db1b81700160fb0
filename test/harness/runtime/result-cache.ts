// libcni's attachment cache, same layout and format: `<cacheDir>/results/<network>-<containerID>-<ifName>`
// (dir 0700, file 0600) holding {"kind":"cniCacheV1", containerId, config (the list JSON, base64 as Go
// writes a []byte), ifName, networkName, netns, cniArgs, capabilityArgs, result}. DEL and CHECK read
// prevResult from here; GC walks it to find stale attachments.
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../../../src/common/atomic-file.ts";

export const CACHE_KIND = "cniCacheV1";
const RESULTS_DIR = "results";

export interface CacheEntry {
  containerId: string;
  /** The network config list JSON (decoded from base64). */
  config: string;
  ifName: string;
  networkName: string;
  netns?: string;
  cniArgs?: [string, string][];
  capabilityArgs?: Record<string, unknown>;
  result?: Record<string, unknown>;
}

export function cacheFilePath(
  cacheDir: string,
  networkName: string,
  containerId: string,
  ifName: string,
): string {
  if (networkName === "" || containerId === "" || ifName === "") {
    throw new Error(
      `cache file path requires network name (${JSON.stringify(networkName)}), container ID (${JSON.stringify(containerId)}), and interface name (${JSON.stringify(ifName)})`,
    );
  }
  return join(cacheDir, RESULTS_DIR, `${networkName}-${containerId}-${ifName}`);
}

/** The file content, fields in libcni's order, empty optional fields left out. Pure. */
export function encodeCacheEntry(entry: CacheEntry): string {
  const out: Record<string, unknown> = {
    kind: CACHE_KIND,
    containerId: entry.containerId,
    config: Buffer.from(entry.config).toString("base64"),
    ifName: entry.ifName,
    networkName: entry.networkName,
  };
  if (entry.netns) out.netns = entry.netns;
  if (entry.cniArgs && entry.cniArgs.length > 0) out.cniArgs = entry.cniArgs;
  if (entry.capabilityArgs && Object.keys(entry.capabilityArgs).length > 0)
    out.capabilityArgs = entry.capabilityArgs;
  if (entry.result) out.result = entry.result;
  return JSON.stringify(out);
}

/** Pure; throws on a file that is not a cniCacheV1 entry. */
export function decodeCacheEntry(text: string): CacheEntry {
  const raw = JSON.parse(text) as Record<string, unknown>;
  if (raw.kind !== CACHE_KIND) throw new Error(`cached network config has wrong kind: ${String(raw.kind)}`);
  const str = (key: string): string => (typeof raw[key] === "string" ? raw[key] : "");
  return {
    containerId: str("containerId"),
    config: Buffer.from(str("config"), "base64").toString(),
    ifName: str("ifName"),
    networkName: str("networkName"),
    netns: str("netns") || undefined,
    cniArgs: Array.isArray(raw.cniArgs) ? (raw.cniArgs as [string, string][]) : undefined,
    capabilityArgs: (raw.capabilityArgs as Record<string, unknown> | undefined) ?? undefined,
    result: (raw.result as Record<string, unknown> | undefined) ?? undefined,
  };
}

export async function writeCacheEntry(cacheDir: string, entry: CacheEntry): Promise<string> {
  const path = cacheFilePath(cacheDir, entry.networkName, entry.containerId, entry.ifName);
  await mkdir(join(cacheDir, RESULTS_DIR), { recursive: true, mode: 0o700 });
  await writeFileAtomic(path, encodeCacheEntry(entry), { mode: 0o600 });
  return path;
}

/** The entry, or undefined when there is none (libcni ignores read errors the same way). */
export async function readCacheEntry(
  cacheDir: string,
  networkName: string,
  containerId: string,
  ifName: string,
): Promise<CacheEntry | undefined> {
  let text: string;
  try {
    text = await readFile(cacheFilePath(cacheDir, networkName, containerId, ifName), "utf8");
  } catch {
    return undefined;
  }
  return decodeCacheEntry(text);
}

export async function deleteCacheEntry(
  cacheDir: string,
  networkName: string,
  containerId: string,
  ifName: string,
): Promise<void> {
  await rm(cacheFilePath(cacheDir, networkName, containerId, ifName), { force: true });
}

/** Every readable cniCacheV1 entry (GetCachedAttachments), optionally of one container. */
export async function listCacheEntries(cacheDir: string, containerId?: string): Promise<CacheEntry[]> {
  let names: string[];
  try {
    names = (await readdir(join(cacheDir, RESULTS_DIR))).sort();
  } catch {
    return [];
  }
  const entries: CacheEntry[] = [];
  for (const name of names) {
    try {
      const entry = decodeCacheEntry(await readFile(join(cacheDir, RESULTS_DIR, name), "utf8"));
      if (entry.ifName === "" || entry.networkName === "") continue;
      if (containerId === undefined || entry.containerId === containerId) entries.push(entry);
    } catch {
      // libcni skips unreadable and foreign files
    }
  }
  return entries;
}
