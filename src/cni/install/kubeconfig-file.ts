// The plugin's kubeconfig on the host, kept in step with the installer pod's service account: read the
// token and CA (projected volumes rotate the token in place: a new `..data` symlink target), render
// (render-kubeconfig.ts), and rewrite the file — atomically, 0600 — only when its content would change.
// A check is three small reads, so the watch loop runs one every period, as Multus's thin entrypoint
// compares hashes every second; Multus only does that with --cleanup-config-on-exit, and without it the
// token was never refreshed (its issue #852). Neither the token nor the file's content is ever logged.
//
// Public API: `KubeconfigFileOptions`, `syncKubeconfig`, `KUBECONFIG_FILE_MODE`.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../../common/atomic-file.ts";
import { isSystemError } from "../../common/errors.ts";
import { apiServerUrl, renderKubeconfig } from "./render-kubeconfig.ts";

export const KUBECONFIG_FILE_MODE = 0o600;
const PARENT_DIR_MODE = 0o755;

export interface KubeconfigFileOptions {
  /** token, ca.crt (and namespace) as mounted in the installer's pod. */
  serviceAccountDir: string;
  /** KUBERNETES_SERVICE_HOST/PORT/PROTOCOL, from the entry point. */
  env: Readonly<Record<string, string | undefined>>;
  /** Where the file goes, as the installer sees it. */
  target: string;
}

async function readOptional(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if (isSystemError(err, "ENOENT")) return undefined;
    throw new Error(`read ${path}`, { cause: err });
  }
}

async function readRequired(path: string, what: string): Promise<Buffer> {
  const data = await readOptional(path);
  if (data === undefined) throw new Error(`the service account ${what} ${path} does not exist`);
  return data;
}

/** Writes the kubeconfig when it differs from the file's content; "written" or "unchanged". */
export async function syncKubeconfig(options: KubeconfigFileOptions): Promise<"written" | "unchanged"> {
  const [token, ca] = await Promise.all([
    readRequired(join(options.serviceAccountDir, "token"), "token"),
    readRequired(join(options.serviceAccountDir, "ca.crt"), "CA"),
  ]);
  const text = renderKubeconfig({ server: apiServerUrl(options.env), ca, token: token.toString("utf8") });
  const current = await readOptional(options.target);
  if (current !== undefined && current.toString("utf8") === text) return "unchanged";
  await writeFileAtomic(options.target, text, {
    mode: KUBECONFIG_FILE_MODE,
    createParents: true,
    dirMode: PARENT_DIR_MODE,
  });
  return "written";
}
