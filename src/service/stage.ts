// Which stage — and so which table — a request belongs to. The alias the function was invoked
// through (the qualifier of the invoked ARN) decides; API Gateway's stage variable must agree.
// Anything else is a deployment fault: refused (500) rather than served from the wrong table.
import { isStage, type Stage } from '../config/stages.ts';
import { StagecraftError } from '../errors.ts';

/** Why no stage could be resolved: the alias is missing or unknown, or disagrees with the stage variable. */
export type StageResolutionErrorCode = 'stage.unresolved';

/** A stage could not be determined safely; a server-side fault, answered 500 and logged. */
export class StageResolutionError extends StagecraftError<StageResolutionErrorCode> {
  override readonly name = 'StageResolutionError';

  /** @param message which of alias and stage variable is missing or disagrees */
  constructor(message: string) {
    super('stage.unresolved', message);
  }
}

/**
 * The alias (or version) in `arn:aws:lambda:REGION:ACCOUNT:function:NAME:QUALIFIER`, or
 * undefined for an unqualified ARN.
 */
export function qualifierOf(invokedFunctionArn: string): string | undefined {
  const parts = invokedFunctionArn.split(':');
  if (parts.length !== 8 || parts[0] !== 'arn' || parts[5] !== 'function') return undefined;
  return parts[7] === '' ? undefined : parts[7];
}

/**
 * The stage of a request: the ARN's alias, which must be a known stage and equal
 * `stageVariables.stage`.
 * @throws StageResolutionError when the alias is missing or unknown, or the two disagree
 */
export function resolveStage(invokedFunctionArn: unknown, stageVariables: unknown): Stage {
  const qualifier =
    typeof invokedFunctionArn === 'string' ? qualifierOf(invokedFunctionArn) : undefined;
  if (qualifier === undefined) {
    throw new StageResolutionError(
      `invoked without an alias (ARN ${String(invokedFunctionArn)}); refusing to pick a table`,
    );
  }
  if (!isStage(qualifier)) {
    throw new StageResolutionError(`invoked through ${qualifier}, which is not a stage alias`);
  }
  const variable =
    typeof stageVariables === 'object' && stageVariables !== null
      ? (stageVariables as Record<string, unknown>).stage
      : undefined;
  if (variable === undefined) {
    throw new StageResolutionError(
      `event has no stageVariables.stage to confirm alias ${qualifier}`,
    );
  }
  if (variable !== qualifier) {
    throw new StageResolutionError(
      `alias ${qualifier} and stageVariables.stage ${JSON.stringify(variable)} disagree`,
    );
  }
  return qualifier;
}
