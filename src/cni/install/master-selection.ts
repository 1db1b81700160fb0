// Which CNI config of the conf dir netclaim wraps as its `clusterNetwork` (the "master"), decided from a
// directory listing. Pure.
//
// Auto mode follows Multus's thin entrypoint and daemon (findMasterPlugin, createMultusConfig): the files
// (not directories) of the conf dir, in byte order of their names (Go's sort.Strings), the first that is
// not netclaim's own — every name starting with "00-netclaim" is ours, whatever its extension, as Multus
// skips "00-multus*". One difference, on purpose: `.json` files are candidates too. Multus looks at
// `.conf` and `.conflist` only, but the container runtimes (libcni ConfFiles in containerd and CRI-O) load
// `.conf`, `.conflist` and `.json`, so the runtime's own choice before netclaim was installed is the
// first of all three; that is the network netclaim must keep as the pod's default.
// A named master (`--master-cni-file`, Multus's multusMasterCNI) is used as given, when it is there.
//
// `filesSortingBefore` names the config files the runtime would pick before ours: a file such as
// "00-calico.conflist" sorts before "00-netclaim.conf", and then the runtime never calls netclaim.
//
// Public API: `OWN_CONFIG_PREFIX`, `CONFIG_EXTENSIONS`, `ConfDirEntry`, `MasterChoice`, `selectMasterFile`,
// `filesSortingBefore`, `isOwnConfigName`, `byteOrder`.
import { extname } from "node:path";

/** Every file of ours in the conf dir starts with this. */
export const OWN_CONFIG_PREFIX = "00-netclaim";
/** What the container runtimes read from a CNI conf dir (libcni ConfFiles). */
export const CONFIG_EXTENSIONS: readonly string[] = [".conf", ".conflist", ".json"];

export interface ConfDirEntry {
  name: string;
  /** A regular file, after following symlinks. */
  isFile: boolean;
}

export type MasterChoice = { kind: "found"; name: string } | { kind: "none"; reason: string };

/** Byte order of UTF-8 names, as Go sorts strings. */
export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export function isOwnConfigName(name: string): boolean {
  return name.startsWith(OWN_CONFIG_PREFIX);
}

function configFiles(entries: readonly ConfDirEntry[]): string[] {
  return entries
    .filter((e) => e.isFile && CONFIG_EXTENSIONS.includes(extname(e.name)))
    .map((e) => e.name)
    .sort(byteOrder);
}

/** The master among `entries`: the named one, else the first config file that is not ours. */
export function selectMasterFile(
  entries: readonly ConfDirEntry[],
  options: { masterName?: string | undefined } = {},
): MasterChoice {
  const named = options.masterName;
  if (named !== undefined && named !== "") {
    if (isOwnConfigName(named)) {
      return { kind: "none", reason: `the master CNI file ${named} is netclaim's own config` };
    }
    const entry = entries.find((e) => e.name === named);
    if (entry === undefined) return { kind: "none", reason: `the master CNI file ${named} does not exist` };
    if (!entry.isFile) return { kind: "none", reason: `the master CNI file ${named} is not a regular file` };
    return { kind: "found", name: named };
  }
  const first = configFiles(entries).find((name) => !isOwnConfigName(name));
  if (first === undefined) {
    return {
      kind: "none",
      reason: `no CNI config (${CONFIG_EXTENSIONS.join(", ")}) other than netclaim's own`,
    };
  }
  return { kind: "found", name: first };
}

/** Config files the runtime would load before `ownName` (which the runtime then never reaches). */
export function filesSortingBefore(entries: readonly ConfDirEntry[], ownName: string): string[] {
  return configFiles(entries).filter((name) => !isOwnConfigName(name) && byteOrder(name, ownName) < 0);
}
