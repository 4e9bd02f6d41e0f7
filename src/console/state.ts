/**
 * What the console shows of the release state, read in one go: the same `release status`
 * answer the CLI prints, the history (newest first) and the last verification with its report.
 * The page renders it; the event stream (feed.ts) pushes it whenever it changes. The rollout
 * panel's numbers come from the same reads (./rollout.ts): `release status`'s `rollout` field
 * (rollout.json, with the last tick) and the history.
 *
 * A new panel adds its own field here (read through its own part's reader) and a panel module
 * in web/panels/; nothing else changes.
 */
import { FUNCTION_NAME, LATEST } from '../config/stages.ts';
import { LocalControlPlane } from '../platform/local/control-plane.ts';
import type { ReleaseContext } from '../release/context.ts';
import { releaseHistory } from '../release/operations/history.ts';
import { releaseStatus, type StatusResult } from '../release/operations/status.ts';
import { SILENT_PROGRESS } from '../release/progress.ts';
import type { HistoryEntry } from '../state/history.ts';
import { type ConsoleRollout, consoleRollout } from './rollout.ts';
import {
  readVerification,
  type VerificationRecord,
  verificationCovers,
  verificationPathFor,
} from '../state/verification.ts';

/** How many history entries the page gets (the newest). */
export const HISTORY_LIMIT = 50;

/** The console's view of the release state (JSON of `/_stagecraft/state` and of each event). */
export interface ConsoleState {
  /** When it was read (ISO 8601). */
  readonly at: string;
  /** `release status`: aliases with their versions' code, publish time, description, verified. */
  readonly status: StatusResult | null;
  /** The last {@link HISTORY_LIMIT} release actions on the local target, newest first. */
  readonly history: readonly HistoryEntry[];
  /** How many history entries there are in all. */
  readonly history_total: number;
  /** The last verification, with the smoke suite's report, or null. */
  readonly verification: VerificationRecord | null;
  /** The versions (`$LATEST` included) whose code the last passing verification covers. */
  readonly verified_versions: readonly string[];
  /** The running, interrupted or latest ended `release rollout`, or null (./rollout.ts). */
  readonly rollout: ConsoleRollout | null;
  /** Why (part of) the state could not be read, e.g. a damaged state file; else absent. */
  readonly problem?: string;
}

/** Reads the console state of a state dir; reading never throws (see `problem`). */
export type ConsoleStateReader = () => Promise<ConsoleState>;

/** A reader over the local control plane of `stateDir` (opened once, read on each call). */
export function consoleStateReader(stateDir: string, now = () => new Date()): ConsoleStateReader {
  let context: Promise<ReleaseContext> | undefined;
  const open = async (): Promise<ReleaseContext> => ({
    controlPlane: await LocalControlPlane.open({ stateDir, functionName: FUNCTION_NAME }),
    stateDir,
    projectDir: stateDir,
    commandLine: 'console',
    user: 'console',
    now,
    progress: SILENT_PROGRESS,
  });
  return async () => {
    const problems: string[] = [];
    const attempt = async <T>(read: () => Promise<T>, fallback: T): Promise<T> => {
      try {
        return await read();
      } catch (error) {
        problems.push((error as Error).message);
        return fallback;
      }
    };
    const status = await attempt(async () => {
      context ??= open();
      try {
        return await releaseStatus(await context);
      } catch (error) {
        context = undefined; // open again next time (the state dir may have been repaired)
        throw error;
      }
    }, null);
    const history = await attempt(() => releaseHistory(stateDir, 'local'), []);
    const verification = await attempt(
      async () => (await readVerification(verificationPathFor(stateDir))) ?? null,
      null,
    );
    const codes: [string, string | null][] = [
      [
        LATEST,
        status?.aliases.staging.version === LATEST ? status.aliases.staging.code_sha256 : null,
      ],
      ...(status?.versions ?? []).map((v): [string, string] => [v.version, v.code_sha256]),
    ];
    const verified = codes
      .filter(
        ([, sha]) =>
          sha !== null &&
          verificationCovers(verification ?? undefined, {
            codeSha256: sha,
            target: 'local',
            functionName: FUNCTION_NAME,
          }),
      )
      .map(([version]) => version);
    return {
      at: now().toISOString(),
      status,
      history: history.slice(-HISTORY_LIMIT).reverse(),
      history_total: history.length,
      verification,
      verified_versions: verified,
      rollout: consoleRollout(status, history),
      ...(problems.length > 0 && { problem: problems.join('; ') }),
    };
  };
}
