import type { ReleaseTarget } from '../platform/control-plane.ts';
import { writeJsonAtomic, readTextIfExists } from './atomic-file.ts';
import { StateFileDamagedError } from './errors.ts';
import { stateLayout } from './layout.ts';

/**
 * The last verification of a state dir (`<state>/verification.json`): which code staging
 * served while the smoke suite ran, and whether it passed. Promotion trusts only this.
 */
// `Report` is the smoke suite's report type; state/ keeps it opaque (it must not import release/).
export interface VerificationRecord<Report = unknown> {
  /** The code sha256 staging served during the whole run (same before and after). */
  readonly code_sha256: string;
  /** When the run finished (ISO-8601). */
  readonly at: string;
  /** True when every check passed. */
  readonly passed: boolean;
  /** The smoke suite's report. */
  readonly report: Report;
  /** The target the run was against: a local verification says nothing about AWS. */
  readonly target: ReleaseTarget;
  /** The function whose staging alias served the code. */
  readonly function_name: string;
  /** The version the staging alias pointed at (`$LATEST`, usually). */
  readonly version: string;
  /**
   * The API deployment the staging stage served during the whole run; absent in records
   * written before API deployments existed (they verify no API).
   */
  readonly api_deployment?: string;
}

/** The verification file of a state dir. */
export function verificationPathFor(stateDir: string): string {
  return stateLayout(stateDir).verification;
}

/** The last verification, or `undefined` when none was recorded. */
export async function readVerification(path: string): Promise<VerificationRecord | undefined> {
  const text = await readTextIfExists(path);
  if (text === undefined) return undefined;
  let value: Partial<VerificationRecord>;
  try {
    value = JSON.parse(text) as Partial<VerificationRecord>;
  } catch {
    value = {};
  }
  if (
    typeof value.code_sha256 !== 'string' ||
    typeof value.at !== 'string' ||
    typeof value.passed !== 'boolean'
  ) {
    throw new StateFileDamagedError(
      path,
      'is not a verification record',
      'delete it and run `stagecraft release verify`',
    );
  }
  return value as VerificationRecord;
}

/** Records a verification (temp file + rename: never half-written). */
export async function writeVerification(path: string, record: VerificationRecord): Promise<void> {
  await writeJsonAtomic(path, record);
}

/**
 * True when `record` proves that `codeSha256` passed the smoke suite on the staging stage of
 * this target and function.
 */
export function verificationCovers(
  record: VerificationRecord | undefined,
  subject: { codeSha256: string; target: ReleaseTarget; functionName: string },
): boolean {
  return (
    record !== undefined &&
    record.passed &&
    record.code_sha256 === subject.codeSha256 &&
    record.target === subject.target &&
    record.function_name === subject.functionName
  );
}

/**
 * True when `record` proves that the API deployment `deployment` passed the smoke suite on
 * the staging stage of this target and function.
 */
export function verificationCoversApi(
  record: VerificationRecord | undefined,
  subject: { deployment: string; target: ReleaseTarget; functionName: string },
): boolean {
  return (
    record !== undefined &&
    record.passed &&
    record.api_deployment === subject.deployment &&
    record.target === subject.target &&
    record.function_name === subject.functionName
  );
}
