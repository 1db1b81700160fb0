// Proof that the installed plugin starts: run it as a runtime would (CNI_COMMAND=VERSION, a config on
// stdin) and expect the version answer. The Node runtime is dynamically linked (glibc, libstdc++) and the
// launcher needs /bin/sh, so what matters is whether it runs on the host, not in the installer's image:
// with a host root other than "/" the check runs the launcher chrooted into the host ("chroot"; needs
// CAP_SYS_CHROOT, which the privileged installer has); with the host's directories mounted at their own
// paths it runs it directly ("direct"), which proves the files, not the host's libraries. A failure stops
// the install before netclaim's config is written, so a node never gets a CNI config whose plugin cannot
// start. The first run also warms the compile cache.
//
// Public API: `VERIFY_MODES`, `VerifyMode`, `verifyCommand`, `verifyShim`.
import type { Exec } from "../../common/exec.ts";
import { CodedError } from "../../common/errors.ts";

export const VERIFY_MODES = ["auto", "chroot", "direct", "off"] as const;
export type VerifyMode = (typeof VERIFY_MODES)[number];

const VERIFY_TIMEOUT_MS = 20_000;
const VERIFY_ENV = {
  CNI_COMMAND: "VERSION",
  PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
};
const VERIFY_STDIN = '{"cniVersion":"1.0.0","name":"netclaim-install-check","type":"netclaim"}';
const MAX_SHOWN_CHARS = 500;

/** The command that runs the launcher (a host path) for `mode`; undefined for "off". Pure. */
export function verifyCommand(
  mode: VerifyMode,
  hostRoot: string,
  launcher: string,
  localLauncher: string,
): { cmd: string; args: string[] } | undefined {
  const effective = mode === "auto" ? (hostRoot === "/" ? "direct" : "chroot") : mode;
  if (effective === "off") return undefined;
  if (effective === "direct") return { cmd: localLauncher, args: [] };
  return { cmd: "chroot", args: [hostRoot, launcher] };
}

function answersVersion(stdout: string): boolean {
  try {
    const answer = JSON.parse(stdout) as { supportedVersions?: unknown };
    return Array.isArray(answer.supportedVersions);
  } catch {
    return false;
  }
}

/** Runs the installed plugin's VERSION; throws a CodedError "SHIM_BROKEN" naming what it printed. */
export async function verifyShim(
  exec: Exec,
  command: { cmd: string; args: readonly string[] },
): Promise<void> {
  const shown = [command.cmd, ...command.args].join(" ");
  const result = await exec.run(command.cmd, command.args, {
    env: VERIFY_ENV,
    stdin: VERIFY_STDIN,
    timeoutMs: VERIFY_TIMEOUT_MS,
  });
  if (result.code === 0 && answersVersion(result.stdout)) return;
  const output = `${result.stderr}${result.stdout}`.trim().slice(0, MAX_SHOWN_CHARS);
  throw new CodedError(
    "SHIM_BROKEN",
    `the installed CNI plugin does not start (${shown}: exit ${String(result.code ?? result.signal)}): ${output}`,
  );
}
