// Names of netclaim's CDI specs and devices.
//   kind        `<driver>/net` (vendor = the DRA driver name, class "net"): `netclaim.dev/net`
//   device      `<claimUID>-<device>`, one per allocated device (as dra-driver-sriov names them). Claim UIDs
//               are never reused, so runtimes' spec caches never serve a stale device under a new claim.
//   device ID   `<kind>=<device>`: `netclaim.dev/net=3f0c...-vf-0000-3b-02-1`
//   spec file   `<vendor>-<class>_<claimUID>.json` — pkg/cdi's GenerateTransientSpecName with the claim
//               UID as transient ID ("/" in it would become "_"); one file per claim, `.json` so it is
//               read as JSON. Our files are told from others' by that `<driver>-net_` prefix.
// Grammar (pkg/parser): vendor and class start with a letter, end with a letter or digit, and hold
// letters, digits, "_", "-" and "." (a "." in the class needs cdiVersion 0.6.0, so we use "net"); a
// device name starts and ends with a letter or digit and holds letters, digits, "_", "-", "." and ":"
// (a leading digit needs 0.5.0).
//
// Public API: `CDI_CLASS`, `cdiKind`, `cdiDeviceName`, `cdiDeviceId`, `cdiSpecFileName`,
// `claimUidFromSpecFileName`, `cdiSpecFilePrefix`, `cdiDeviceNameProblem`, `cdiVendorProblem`.

export const CDI_CLASS = "net";
const SPEC_FILE_EXTENSION = ".json";

const VENDOR_RE = /^[A-Za-z]([A-Za-z0-9_.-]*[A-Za-z0-9])?$/;
const DEVICE_RE = /^[A-Za-z0-9]([A-Za-z0-9_.:-]*[A-Za-z0-9])?$/;

/** Why `vendor` is not a CDI vendor name, or undefined. */
export function cdiVendorProblem(vendor: string): string | undefined {
  if (VENDOR_RE.test(vendor)) return undefined;
  return `${JSON.stringify(vendor)} is not a CDI vendor name (a letter first, then letters, digits, "_", "-", ".", ending in a letter or digit)`;
}

/** Why `name` is not a CDI device name, or undefined. */
export function cdiDeviceNameProblem(name: string): string | undefined {
  if (DEVICE_RE.test(name)) return undefined;
  return `${JSON.stringify(name)} is not a CDI device name (letters, digits, "_", "-", ".", ":", starting and ending with a letter or digit)`;
}

export function cdiKind(driver: string): string {
  return `${driver}/${CDI_CLASS}`;
}

export function cdiDeviceName(claimUID: string, deviceName: string): string {
  return `${claimUID}-${deviceName}`;
}

/** The fully qualified device ID the kubelet hands to the runtime. */
export function cdiDeviceId(driver: string, claimUID: string, deviceName: string): string {
  return `${cdiKind(driver)}=${cdiDeviceName(claimUID, deviceName)}`;
}

export function cdiSpecFilePrefix(driver: string): string {
  return `${driver}-${CDI_CLASS}_`;
}

/** The claim's spec file name (no directory). */
export function cdiSpecFileName(driver: string, claimUID: string): string {
  return `${cdiSpecFilePrefix(driver)}${claimUID.replaceAll("/", "_")}${SPEC_FILE_EXTENSION}`;
}

/** The claim UID of one of our spec files, or undefined for any other file name. */
export function claimUidFromSpecFileName(driver: string, fileName: string): string | undefined {
  const prefix = cdiSpecFilePrefix(driver);
  if (!fileName.startsWith(prefix) || !fileName.endsWith(SPEC_FILE_EXTENSION)) return undefined;
  const uid = fileName.slice(prefix.length, -SPEC_FILE_EXTENSION.length);
  return uid === "" ? undefined : uid;
}
