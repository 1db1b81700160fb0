// Flag resolution: precedence (flag > NETCLAIM_* > aliases > default), typed parsing of every kind,
// errors naming the flag and the source of the bad value, secret redaction, and commander wiring.
import { Command } from "commander";
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import {
  addFlags,
  flagHelp,
  requireCommandConfig,
  resolveCommandConfig,
} from "../../../src/common/config-command.ts";
import {
  zBoolean,
  zDuration,
  zInteger,
  zListenAddress,
  zNumber,
  zPath,
  parseDurationMs,
} from "../../../src/common/config-schemas.ts";
import { defineFlags, envNameOf, renderEffectiveConfig, resolveConfig } from "../../../src/common/config.ts";
import type { ConfigOf, Env } from "../../../src/common/config.ts";
import { logLevelSchema } from "../../../src/common/logger.ts";

const specs = defineFlags({
  "node-name": { schema: z.string().min(1), description: "this node", envAliases: ["NODE_NAME"] },
  "driver-name": { schema: z.string(), description: "driver", default: "netclaim.dev" },
  "log-level": { schema: logLevelSchema, description: "level", default: "info" },
  "resync-period": { schema: zDuration(), description: "resync", default: "10m" },
  workers: { schema: zInteger({ min: 1, max: 64 }), description: "workers", default: "4" },
  ratio: { schema: zNumber().optional(), description: "ratio" },
  "leader-elect": { schema: zBoolean(), description: "elect", default: "true", boolean: true },
  kubeconfig: { schema: zPath().optional(), description: "kubeconfig", valueName: "path" },
  "state-dir": { schema: zPath({ absolute: true }), description: "state", default: "/var/lib/netclaim" },
  "metrics-address": { schema: zListenAddress().optional(), description: "metrics" },
  token: { schema: z.string().optional(), description: "token", secret: true },
});

const defaults: ConfigOf<typeof specs> = {
  nodeName: "n1",
  driverName: "netclaim.dev",
  logLevel: "info",
  resyncPeriod: 600_000,
  workers: 4,
  ratio: undefined,
  leaderElect: true,
  kubeconfig: undefined,
  stateDir: "/var/lib/netclaim",
  metricsAddress: undefined,
  token: undefined,
};

describe("resolveConfig", () => {
  const cases: { name: string; flags: Record<string, unknown>; env: Env; want: Partial<typeof defaults> }[] =
    [
      { name: "defaults", flags: { nodeName: "n1" }, env: {}, want: {} },
      {
        name: "flag beats env",
        flags: { nodeName: "n1", workers: "8" },
        env: { NETCLAIM_WORKERS: "2" },
        want: { workers: 8 },
      },
      {
        name: "NETCLAIM_ env beats alias",
        flags: {},
        env: { NETCLAIM_NODE_NAME: "n1", NODE_NAME: "other" },
        want: {},
      },
      { name: "alias beats default", flags: {}, env: { NODE_NAME: "n1" }, want: {} },
      {
        name: "empty env counts as unset",
        flags: {},
        env: { NETCLAIM_NODE_NAME: "", NODE_NAME: "n1" },
        want: {},
      },
      {
        name: "bare boolean flag",
        flags: { nodeName: "n1", leaderElect: true },
        env: {},
        want: { leaderElect: true },
      },
      {
        name: "boolean false from flag",
        flags: { nodeName: "n1", leaderElect: "false" },
        env: {},
        want: { leaderElect: false },
      },
      {
        name: "boolean 0 from env",
        flags: { nodeName: "n1" },
        env: { NETCLAIM_LEADER_ELECT: "0" },
        want: { leaderElect: false },
      },
      {
        name: "boolean TRUE",
        flags: { nodeName: "n1", leaderElect: "TRUE" },
        env: {},
        want: { leaderElect: true },
      },
      {
        name: "duration",
        flags: { nodeName: "n1", resyncPeriod: "1m30s" },
        env: {},
        want: { resyncPeriod: 90_000 },
      },
      { name: "number", flags: { nodeName: "n1", ratio: "0.25" }, env: {}, want: { ratio: 0.25 } },
      {
        name: "enum",
        flags: { nodeName: "n1" },
        env: { NETCLAIM_LOG_LEVEL: "debug" },
        want: { logLevel: "debug" },
      },
      { name: "path", flags: { nodeName: "n1", kubeconfig: "./kc" }, env: {}, want: { kubeconfig: "./kc" } },
      {
        name: "listen address",
        flags: { nodeName: "n1", metricsAddress: "[::1]:9090" },
        env: {},
        want: { metricsAddress: "[::1]:9090" },
      },
    ];
  it.each(cases)("$name", ({ flags, env, want }) => {
    const result = resolveConfig(specs, flags, env);
    expect(result).toMatchObject({ ok: true, config: { ...defaults, ...want } });
  });

  it("reports where each value came from", () => {
    const result = resolveConfig(specs, { workers: "2" }, { NODE_NAME: "n1", NETCLAIM_LOG_LEVEL: "warn" });
    expect(result.ok && result.sources).toMatchObject({
      nodeName: "env NODE_NAME",
      logLevel: "env NETCLAIM_LOG_LEVEL",
      workers: "flag --workers",
      driverName: "default",
      kubeconfig: "unset",
    });
  });

  const errorCases: { name: string; flags: Record<string, unknown>; env: Env; want: string[] }[] = [
    {
      name: "required flag missing names every way to set it",
      flags: {},
      env: {},
      want: ["--node-name is required: set --node-name or NETCLAIM_NODE_NAME or NODE_NAME"],
    },
    {
      name: "bad number from env names the variable",
      flags: { nodeName: "n1" },
      env: { NETCLAIM_WORKERS: "many" },
      want: ['--workers: invalid value "many" from env NETCLAIM_WORKERS: expected a number'],
    },
    {
      name: "out of range from flag names the flag",
      flags: { nodeName: "n1", workers: "100" },
      env: {},
      want: ['--workers: invalid value "100" from flag --workers: must be at most 64'],
    },
    {
      name: "not an integer",
      flags: { nodeName: "n1", workers: "1.5" },
      env: {},
      want: ['--workers: invalid value "1.5" from flag --workers: expected an integer'],
    },
    {
      name: "bad alias value",
      flags: {},
      env: { NODE_NAME: "n1", NETCLAIM_LEADER_ELECT: "yes" },
      want: [
        '--leader-elect: invalid value "yes" from env NETCLAIM_LEADER_ELECT: expected true, false, 1 or 0',
      ],
    },
    {
      name: "bad duration and bad enum reported together",
      flags: { nodeName: "n1", resyncPeriod: "10" },
      env: { NETCLAIM_LOG_LEVEL: "loud" },
      want: [
        expect.stringMatching(
          /^--log-level: invalid value "loud" from env NETCLAIM_LOG_LEVEL: Invalid option/,
        ) as string,
        '--resync-period: invalid value "10" from flag --resync-period: expected a duration such as "500ms", "10s" or "1m30s"',
      ],
    },
    {
      name: "relative state dir",
      flags: { nodeName: "n1", stateDir: "state" },
      env: {},
      want: ['--state-dir: invalid value "state" from flag --state-dir: expected an absolute path'],
    },
    {
      name: "explicit empty flag is a value, not unset",
      flags: { nodeName: "" },
      env: { NODE_NAME: "n1" },
      want: [expect.stringMatching(/^--node-name: invalid value "" from flag --node-name: /) as string],
    },
    {
      name: "port too large",
      flags: { nodeName: "n1", metricsAddress: ":70000" },
      env: {},
      want: [
        '--metrics-address: invalid value ":70000" from flag --metrics-address: port must be at most 65535',
      ],
    },
  ];
  it.each(errorCases)("$name", ({ flags, env, want }) => {
    expect(resolveConfig(specs, flags, env)).toEqual({ ok: false, errors: want });
  });

  it("a secret's bad value is redacted in the error", () => {
    const secretSpecs = defineFlags({
      password: { schema: z.string().min(10), description: "pw", secret: true },
    });
    const result = resolveConfig(secretSpecs, { password: "hunter2" }, {});
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain("hunter2");
    expect(result.ok === false && result.errors[0]).toMatch(
      /^--password: invalid value <redacted> from flag --password/,
    );
  });
});

describe("parseDurationMs", () => {
  const cases: { input: string; want: number | undefined }[] = [
    { input: "0", want: 0 },
    { input: "500ms", want: 500 },
    { input: "10s", want: 10_000 },
    { input: "1m30s", want: 90_000 },
    { input: "1.5h", want: 5_400_000 },
    { input: "2h45m", want: 9_900_000 },
    { input: "1500us", want: 2 },
    { input: " 3s ", want: 3000 },
    { input: "10", want: undefined },
    { input: "-1s", want: undefined },
    { input: "1x", want: undefined },
    { input: "s", want: undefined },
    { input: "", want: undefined },
    { input: "1s junk", want: undefined },
  ];
  it.each(cases)("$input", ({ input, want }) => {
    expect(parseDurationMs(input)).toBe(want);
  });
});

describe("renderEffectiveConfig", () => {
  it("keys by flag name, redacts secrets, omits unset values", () => {
    const result = resolveConfig(specs, { nodeName: "n1", token: "abc" }, {});
    if (!result.ok) throw new Error(result.errors.join("; "));
    expectTypeOf(result.config.workers).toEqualTypeOf<number>();
    expectTypeOf(result.config.leaderElect).toEqualTypeOf<boolean>();
    expectTypeOf(result.config.kubeconfig).toEqualTypeOf<string | undefined>();
    expectTypeOf(result.config.logLevel).toEqualTypeOf<
      "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent"
    >();
    const rendered = renderEffectiveConfig(specs, result.config);
    expect(rendered).toEqual({
      "node-name": "n1",
      "driver-name": "netclaim.dev",
      "log-level": "info",
      "resync-period": 600_000,
      workers: 4,
      "leader-elect": true,
      "state-dir": "/var/lib/netclaim",
      token: "<redacted>",
    });
  });
});

describe("commander wiring", () => {
  function parse(argv: string[], env: Env = {}) {
    const command = addFlags(new Command("kubelet-plugin").exitOverride(), specs);
    command.parse(argv, { from: "user" });
    return { command, result: resolveCommandConfig(command, specs, env) };
  }
  const cases: { name: string; argv: string[]; env?: Env; want: Partial<typeof defaults> }[] = [
    { name: "space separated", argv: ["--node-name", "n1", "--workers", "3"], want: { workers: 3 } },
    { name: "equals form", argv: ["--node-name=n1", "--resync-period=5s"], want: { resyncPeriod: 5000 } },
    {
      name: "bare boolean",
      argv: ["--node-name=n1", "--leader-elect"],
      env: { NETCLAIM_LEADER_ELECT: "false" },
      want: {},
    },
    {
      name: "boolean with value",
      argv: ["--node-name=n1", "--leader-elect=false"],
      want: { leaderElect: false },
    },
    { name: "env fills what flags leave", argv: [], env: { NODE_NAME: "n1" }, want: {} },
  ];
  it.each(cases)("$name", ({ argv, env, want }) => {
    expect(parse(argv, env).result).toMatchObject({ ok: true, config: { ...defaults, ...want } });
  });

  it("help lists env vars and defaults", () => {
    const help = addFlags(new Command("x"), specs).helpInformation();
    expect(help).toContain("--node-name <value>");
    expect(help).toContain("this node (env: NETCLAIM_NODE_NAME, NODE_NAME)");
    expect(help).toContain("--kubeconfig <path>");
    expect(help).toContain("--leader-elect [bool]");
    expect(flagHelp("resync-period", specs["resync-period"])).toBe(
      'resync (env: NETCLAIM_RESYNC_PERIOD; default: "10m")',
    );
  });

  it("requireCommandConfig throws one INVALID_CONFIG error listing every problem", () => {
    const command = addFlags(new Command("controller"), specs);
    command.parse(["--workers", "0"], { from: "user" });
    expect(() => requireCommandConfig(command, specs, {})).toThrow(
      expect.objectContaining({
        code: "INVALID_CONFIG",
        message: expect.stringContaining("--node-name is required") as string,
      }),
    );
    expect(() => requireCommandConfig(command, specs, {})).toThrow(/--workers: invalid value "0"/);
  });

  it("env names", () => {
    expect(["node-name", "cni-socket", "x"].map(envNameOf)).toEqual([
      "NETCLAIM_NODE_NAME",
      "NETCLAIM_CNI_SOCKET",
      "NETCLAIM_X",
    ]);
  });
});
