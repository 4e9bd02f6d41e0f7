import { type ReleaseContext, record, withReleaseLock } from '../context.ts';
import type { PublishOutcome } from '../../platform/control-plane.ts';

/** Options of `release publish`. */
export interface PublishOptions {
  /** The version's description. */
  readonly description?: string;
}

/**
 * Publishes `$LATEST` as the next version, guarded by the code sha256 read just before (so
 * what is published is what was looked at); unchanged code returns the newest version.
 */
export async function publishLatest(
  ctx: ReleaseContext,
  options: PublishOptions = {},
): Promise<PublishOutcome> {
  return withReleaseLock(ctx, () => publishLocked(ctx, options));
}

/** {@link publishLatest} for callers already holding the lock (promote). */
export async function publishLocked(
  ctx: ReleaseContext,
  options: PublishOptions & { readonly expectedCodeSha256?: string },
): Promise<PublishOutcome> {
  const cp = ctx.controlPlane;
  const sha = options.expectedCodeSha256 ?? (await cp.latestCodeSha256());
  const outcome = await ctx.progress.task('publish $LATEST as a new version', () =>
    cp.publishVersion({
      expectedCodeSha256: sha,
      ...(options.description !== undefined ? { description: options.description } : {}),
    }),
  );
  if (outcome.created) {
    await record(ctx, {
      action: 'publish',
      from: '$LATEST',
      to: outcome.version.version,
      code_sha256: outcome.version.code_sha256,
      forced: false,
    });
  }
  return outcome;
}
