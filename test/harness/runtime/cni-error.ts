// A failed plugin run as a typed error, read the way libcni's RawExec.pluginErr reads it: the plugin's
// stdout is a {code,msg,details} JSON error; no stdout means "failed with no error message" (or with
// stderr); unparseable stdout is reported as such.

/** Well-known CNI error codes (SPEC.md "Error"). */
export const CNI_ERROR_CODES = {
  INCOMPATIBLE_VERSION: 1,
  UNSUPPORTED_FIELD: 2,
  UNKNOWN_CONTAINER: 3,
  INVALID_ENVIRONMENT: 4,
  IO_FAILURE: 5,
  DECODE_FAILURE: 6,
  INVALID_NETWORK_CONFIG: 7,
  TRY_AGAIN_LATER: 11,
  PLUGIN_NOT_AVAILABLE: 50,
  LIMITED_CONNECTIVITY: 51,
} as const;

/** libcni's code for "no usable error from the plugin" (types.Error with no code). */
export const NO_CODE = 0;

export interface PluginFailure {
  plugin: string;
  command: string;
  exitCode: number | null;
  signal?: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export class CniPluginError extends Error {
  readonly code: number;
  readonly msg: string;
  readonly details: string;
  readonly plugin: string;
  readonly command: string;
  readonly exitCode: number | null;
  readonly stderr: string;

  constructor(init: { code: number; msg: string; details?: string } & PluginFailure) {
    const details = init.details ? `; ${init.details}` : "";
    super(
      `plugin ${init.plugin} failed (${init.command.toLowerCase()}): [code ${init.code}] ${init.msg}${details}`,
    );
    this.name = "CniPluginError";
    this.code = init.code;
    this.msg = init.msg;
    this.details = init.details ?? "";
    this.plugin = init.plugin;
    this.command = init.command;
    this.exitCode = init.exitCode;
    this.stderr = init.stderr;
  }
}

function exitText(failure: PluginFailure): string {
  return failure.signal ? `signal: ${failure.signal}` : `exit status ${failure.exitCode}`;
}

/** The error a failed plugin run stands for. Pure. */
export function parsePluginFailure(failure: PluginFailure): CniPluginError {
  const stdout = failure.stdout.trim();
  if (stdout === "") {
    const stderr = failure.stderr.trim();
    const msg =
      stderr === ""
        ? `netplugin failed with no error message: ${exitText(failure)}`
        : `netplugin failed: ${JSON.stringify(stderr)}: ${exitText(failure)}`;
    return new CniPluginError({ ...failure, code: NO_CODE, msg });
  }
  try {
    const parsed = JSON.parse(stdout) as { code?: unknown; msg?: unknown; details?: unknown };
    return new CniPluginError({
      ...failure,
      code: typeof parsed.code === "number" ? parsed.code : NO_CODE,
      msg: typeof parsed.msg === "string" ? parsed.msg : "",
      details: typeof parsed.details === "string" ? parsed.details : "",
    });
  } catch (err) {
    const msg = `netplugin failed but error parsing its diagnostic message ${JSON.stringify(stdout)}: ${String(err)}`;
    return new CniPluginError({ ...failure, code: NO_CODE, msg });
  }
}
