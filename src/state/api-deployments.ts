/**
 * API deployments in the state dir: immutable snapshots of the API definition, and which one
 * each stage serves (the local counterpart of API Gateway's deployments and its stages'
 * `deploymentId`).
 *
 * ```
 * <state>/api/deployments/<id>.json   { id, created_at, description, definition }
 * <state>/api/stages/<stage>.json     { deployment }
 * ```
 *
 * A deployment's id is the id of its definition (a content hash, computed by its writer), so a
 * deployment file is written once and never changes: writing a definition that already has a
 * deployment is a no-op. Each stage has its own file, so `stagecraft dev` (which moves only
 * staging) and release commands (which move only prod) never rewrite each other's record.
 * Every file is written by rename (atomic-file.ts): a kill leaves the old or the new record.
 * The deployment file is always written before a stage file names it. A prod move and its
 * history entry are one journalled step (alias-move.ts, `subject: 'api'`).
 *
 * The definition is opaque here (state/ does not know the route table's shape); the local
 * gateway parses it (src/service/api-definition.ts).
 */
import { readdir } from 'node:fs/promises';
import { readTextIfExists, writeJsonAtomic } from './atomic-file.ts';
import { StateFileDamagedError } from './errors.ts';
import { stateLayout } from './layout.ts';
import { ensurePrivateDir } from './state-dir.ts';

/** One stored API deployment. */
export interface ApiDeploymentRecord {
  /** The definition's id (a hash of its canonical form). */
  readonly id: string;
  /** When it was first recorded (ISO-8601). */
  readonly created_at: string;
  /** What recorded it, for people. */
  readonly description: string;
  /** The canonical API definition. */
  readonly definition: unknown;
}

/** A deployment without its definition: what lists and status show. */
export type ApiDeploymentSummary = Omit<ApiDeploymentRecord, 'definition'>;

const ID_PATTERN = /^[0-9A-Za-z_-]{1,64}$/;

/** True when `id` can name a deployment file (no path separators, no dots). */
export function isApiDeploymentId(id: string): boolean {
  return ID_PATTERN.test(id);
}

/**
 * Stores a deployment unless one with its id exists. Resolves to true when it wrote one.
 */
export async function recordApiDeployment(
  stateDir: string,
  record: ApiDeploymentRecord,
): Promise<boolean> {
  if (!isApiDeploymentId(record.id)) throw new TypeError(`invalid API deployment id ${record.id}`);
  const layout = stateLayout(stateDir).api;
  if ((await readApiDeployment(stateDir, record.id)) !== undefined) return false;
  await ensurePrivateDir(layout.dir);
  await ensurePrivateDir(layout.deploymentsDir);
  await writeJsonAtomic(layout.deployment(record.id), record);
  return true;
}

/** A stored deployment, or undefined when there is none with that id. */
export async function readApiDeployment(
  stateDir: string,
  id: string,
): Promise<ApiDeploymentRecord | undefined> {
  if (!isApiDeploymentId(id)) return undefined;
  const path = stateLayout(stateDir).api.deployment(id);
  const text = await readTextIfExists(path);
  if (text === undefined) return undefined;
  let value: Partial<ApiDeploymentRecord> | null = null;
  try {
    value = JSON.parse(text) as Partial<ApiDeploymentRecord> | null;
  } catch {
    // reported below
  }
  if (
    typeof value !== 'object' ||
    value === null ||
    value.id !== id ||
    typeof value.created_at !== 'string' ||
    typeof value.description !== 'string' ||
    typeof value.definition !== 'object' ||
    value.definition === null
  ) {
    throw new StateFileDamagedError(
      path,
      'is not an API deployment record',
      'it was written once and never changes: restore it from a backup, or delete it if no ' +
        'stage serves it (see `stagecraft release status`)',
    );
  }
  return value as ApiDeploymentRecord;
}

/** Every stored deployment (without definitions), oldest first. */
export async function listApiDeployments(stateDir: string): Promise<ApiDeploymentSummary[]> {
  let names: string[];
  try {
    names = await readdir(stateLayout(stateDir).api.deploymentsDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const records: ApiDeploymentSummary[] = [];
  for (const name of names) {
    // Temp files of an interrupted write start with a dot and are not deployments.
    if (name.startsWith('.') || !name.endsWith('.json')) continue;
    const record = await readApiDeployment(stateDir, name.slice(0, -'.json'.length));
    if (record === undefined) continue;
    records.push({ id: record.id, created_at: record.created_at, description: record.description });
  }
  return records.sort(
    (a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id),
  );
}

/** The deployment a stage serves, or undefined when the stage has none recorded yet. */
export async function readApiStage(stateDir: string, stage: string): Promise<string | undefined> {
  const path = stateLayout(stateDir).api.stage(stage);
  const text = await readTextIfExists(path);
  if (text === undefined) return undefined;
  let value: { deployment?: unknown } | null = null;
  try {
    value = JSON.parse(text) as { deployment?: unknown } | null;
  } catch {
    // reported below
  }
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof value.deployment !== 'string' ||
    !isApiDeploymentId(value.deployment)
  ) {
    throw new StateFileDamagedError(
      path,
      'is not an API stage record',
      `write {"deployment": "<id>"} with an id from ${stateLayout(stateDir).api.deploymentsDir} ` +
        '(see `stagecraft release history` for what the stage served), or delete it to let ' +
        '`stagecraft dev` set it up again',
    );
  }
  return value.deployment;
}

/** Points a stage at a stored deployment (atomically). */
export async function writeApiStage(stateDir: string, stage: string, id: string): Promise<void> {
  if ((await readApiDeployment(stateDir, id)) === undefined) {
    throw new TypeError(`API deployment ${id} is not stored in ${stateDir}`);
  }
  const layout = stateLayout(stateDir).api;
  await ensurePrivateDir(layout.stagesDir);
  await writeJsonAtomic(layout.stage(stage), { deployment: id });
}
