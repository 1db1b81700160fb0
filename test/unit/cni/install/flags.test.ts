// install-cni's flags: defaults, NETCLAIM_* env fallbacks, validation, and how they become the
// installer's options (cleanup implies watch, the kubeconfig path follows the conf dir, the generated
// config's passthrough fields).
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../../../src/common/config.ts";
import type { Env } from "../../../../src/common/config.ts";
import { silentLogger } from "../../../../src/common/logger.ts";
import { INSTALL_CNI_FLAGS } from "../../../../src/cni/install/flags.ts";
import type { InstallCniConfig } from "../../../../src/cni/install/flags.ts";
import { installerOptionsFrom } from "../../../../src/cni/install/main.ts";

function resolve(flags: Record<string, unknown>, env: Env = {}): InstallCniConfig {
  const result = resolveConfig(INSTALL_CNI_FLAGS, flags, env);
  if (!result.ok) throw new Error(result.errors.join("; "));
  return result.config;
}

function errorsOf(flags: Record<string, unknown>, env: Env = {}): string[] {
  const result = resolveConfig(INSTALL_CNI_FLAGS, flags, env);
  return result.ok ? [] : result.errors;
}

describe("INSTALL_CNI_FLAGS", () => {
  it("has production defaults", () => {
    expect(resolve({})).toMatchObject({
      hostRoot: "/",
      cniBinDir: "/opt/cni/bin",
      cniConfDir: "/etc/cni/net.d",
      serviceAccountDir: "/var/run/secrets/kubernetes.io/serviceaccount",
      readinessTimeout: 45_000,
      masterTimeout: 120_000,
      checkInterval: 1000,
      hostNetnsDir: "auto",
      watch: false,
      cleanupConfigOnExit: false,
      installShim: true,
      writeKubeconfig: true,
      compileCache: true,
    });
  });

  it("reads NETCLAIM_* env vars, flags winning", () => {
    const env = {
      NETCLAIM_CNI_CONF_DIR: "/host/etc/cni/net.d",
      NETCLAIM_WATCH: "true",
      NETCLAIM_CNI_BIN_DIR: "/x",
    };
    expect(resolve({ cniBinDir: "/y" }, env)).toMatchObject({
      cniConfDir: "/host/etc/cni/net.d",
      cniBinDir: "/y",
      watch: true,
    });
  });

  const invalid: { name: string; flags: Record<string, unknown>; want: RegExp }[] = [
    {
      name: "a master path instead of a name",
      flags: { masterCniFile: "/etc/cni/net.d/10.conf" },
      want: /--master-cni-file/,
    },
    { name: "our own file as master", flags: { masterCniFile: "00-netclaim.conf" }, want: /netclaim's own/ },
    { name: "an unknown CNI version", flags: { cniVersion: "2.0.0" }, want: /--cni-version/ },
    { name: "a relative conf dir", flags: { cniConfDir: "etc/cni" }, want: /--cni-conf-dir/ },
    { name: "a bad plugin log level", flags: { cniLogLevel: "loud" }, want: /--cni-log-level/ },
    { name: "a relative netns dir", flags: { hostNetnsDir: "run/netns" }, want: /--host-netns-dir/ },
    { name: "a bad duration", flags: { checkInterval: "often" }, want: /--check-interval/ },
  ];
  it.each(invalid)("refuses $name", ({ flags, want }) => {
    expect(errorsOf(flags).join("\n")).toMatch(want);
  });
});

describe("installerOptionsFrom", () => {
  const shimless = { installShim: "false" };

  it("derives the kubeconfig path from the conf dir and passes the config fields through", () => {
    const options = installerOptionsFrom(
      resolve({
        ...shimless,
        cniConfDir: "/etc/cni/alt",
        cniLogLevel: "debug",
        daemonSocket: "/run/netclaim/cni.sock",
        deviceInfoDir: "/run/devinfo",
        namespaceIsolation: true,
        delegateBinDir: "/opt/more",
      }),
      {},
      silentLogger(),
    );
    expect(options.kubeconfigPath).toBe("/etc/cni/alt/netclaim.d/netclaim.kubeconfig");
    expect(options.config).toMatchObject({
      logLevel: "debug",
      daemonSocket: "/run/netclaim/cni.sock",
      deviceInfoDir: "/run/devinfo",
      namespaceIsolation: true,
      binDir: "/opt/more",
    });
    expect(options.shim).toBeUndefined();
    expect(options.serviceAccountDir).toBe("/var/run/secrets/kubernetes.io/serviceaccount");
  });

  it.each([
    [{ watch: true }, true, false],
    [{ cleanupConfigOnExit: true }, true, true],
    [{}, false, false],
  ])("%j → watch %s, cleanup %s", (flags, watch, cleanup) => {
    const options = installerOptionsFrom(resolve({ ...shimless, ...flags }), {}, silentLogger());
    expect([options.watch, options.cleanupOnExit]).toEqual([watch, cleanup]);
  });

  it("leaves the kubeconfig alone with --write-kubeconfig=false, keeping its path in the config", () => {
    const options = installerOptionsFrom(
      resolve({ ...shimless, writeKubeconfig: "false", kubeconfigPath: "/etc/kubernetes/cni.kubeconfig" }),
      {},
      silentLogger(),
    );
    expect(options.serviceAccountDir).toBeUndefined();
    expect(options.kubeconfigPath).toBe("/etc/kubernetes/cni.kubeconfig");
  });

  it("installs the given runtime and bundle", () => {
    const options = installerOptionsFrom(
      resolve({
        shimBundleDir: "/srv/shim",
        nodeBinary: "/usr/local/bin/node",
        compileCache: "false",
        verifyShim: "chroot",
      }),
      {},
      silentLogger(),
    );
    expect(options.shim).toEqual({
      nodeBinary: "/usr/local/bin/node",
      bundleDir: "/srv/shim",
      compileCache: false,
      verify: "chroot",
    });
  });
});
