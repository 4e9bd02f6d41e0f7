import { StagecraftError } from '../errors.ts';

/**
 * What kind of problem stopped `ssh-config`. Every code is something the user can fix, so the
 * command turns each into exit code 1 with the message as written.
 *
 * - `input.json`: the input is not JSON (or not a sequence of JSON documents).
 * - `input.shape`: JSON, but not the output of `aws ec2 describe-instances`.
 * - `config.markers`: the config file's marker lines are malformed; the file is left alone.
 * - `config.io`: reading or writing the config file (or its backup) failed.
 * - `aws`: a DescribeInstances call failed (credentials, region, permissions).
 */
export type SshConfigErrorCode =
  'input.json' | 'input.shape' | 'config.markers' | 'config.io' | 'aws';

/** A problem the user can fix, with a message that says which one and where. */
export class SshConfigError extends StagecraftError<SshConfigErrorCode> {
  override readonly name = 'SshConfigError';
}
