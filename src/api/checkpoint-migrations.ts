// Reading older checkpoint versions. A migration turns the `data` of one apiVersion into the data of the
// next one and names that version; they chain until the current version. v1alpha1 is the first version,
// so the table is empty today: when v1alpha2 comes, its entry is `"netclaim.dev/v1alpha1": (data) =>
// ({ apiVersion: "netclaim.dev/v1alpha2", data: <converted> })`, and the frozen v1alpha1 fixture in
// test/fixtures/checkpoint must keep reading.
//
// Public API: `CheckpointMigration`, `CHECKPOINT_MIGRATIONS`, `migrateCheckpoint`.

export type CheckpointMigration = (data: unknown) => { apiVersion: string; data: unknown };

/** Keyed by the apiVersion they upgrade from. */
export const CHECKPOINT_MIGRATIONS: Readonly<Record<string, CheckpointMigration>> = {};

const MAX_MIGRATION_STEPS = 16;

/** `data` of `apiVersion`, carried to `target`; throws when there is no path. */
export function migrateCheckpoint(
  document: { apiVersion: string; data: unknown },
  target: string,
  migrations: Readonly<Record<string, CheckpointMigration>>,
): unknown {
  let { apiVersion, data } = document;
  for (let step = 0; step < MAX_MIGRATION_STEPS; step++) {
    if (apiVersion === target) return data;
    const migrate = Object.hasOwn(migrations, apiVersion) ? migrations[apiVersion] : undefined;
    if (migrate === undefined)
      throw new Error(`no migration from checkpoint apiVersion ${apiVersion} to ${target}`);
    ({ apiVersion, data } = migrate(data));
  }
  throw new Error(`checkpoint migrations from ${document.apiVersion} do not reach ${target}`);
}
