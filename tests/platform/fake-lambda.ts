// A small in-memory Lambda behind aws-sdk-client-mock, for the ControlPlane contract suite:
// one function with $LATEST code, numbered versions and aliases, honouring what the release
// flow relies on — PublishVersion's CodeSha256 precondition (and its "newest version already
// has this code" answer), UpdateAlias's RevisionId, and alias RoutingConfig weights.
import {
  type AliasConfiguration,
  type FunctionConfiguration,
  GetAliasCommand,
  GetFunctionCommand,
  InvalidParameterValueException,
  type LambdaClient,
  ListVersionsByFunctionCommand,
  PreconditionFailedException,
  PublishVersionCommand,
  ResourceNotFoundException,
  UpdateAliasCommand,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';

interface FakeAlias {
  version: string;
  weights: Record<string, number>;
  revision: string;
}

// Lambda pages ListVersionsByFunction; a small page makes the adapter's paging run.
const PAGE = 2;

/** The fake's state and the hooks a test uses to act "behind the control plane's back". */
export class FakeLambda {
  latestSha: string | undefined;
  readonly versions: FunctionConfiguration[] = [];
  readonly aliases = new Map<string, FakeAlias>();
  #revisions = 0;

  /**
   * @param client the client whose sends this fake answers
   * @param functionName the one function it knows
   */
  constructor(
    client: LambdaClient,
    readonly functionName: string,
  ) {
    const mock = mockClient(client);
    mock.on(GetFunctionCommand).callsFake((input: { FunctionName?: string }) => {
      this.#checkFunction(input.FunctionName);
      return {
        Configuration: {
          FunctionName: this.functionName,
          Version: '$LATEST',
          ...(this.latestSha !== undefined && { CodeSha256: this.latestSha }),
        },
      };
    });
    mock.on(ListVersionsByFunctionCommand).callsFake((input: { Marker?: string }) => {
      const all: FunctionConfiguration[] = [
        { Version: '$LATEST', CodeSha256: this.latestSha ?? '' },
        ...this.versions,
      ];
      const start = Number(input.Marker ?? '0');
      const next = start + PAGE;
      return {
        Versions: all.slice(start, next),
        ...(next < all.length && { NextMarker: String(next) }),
      };
    });
    mock
      .on(PublishVersionCommand)
      .callsFake((input: { CodeSha256?: string; Description?: string }) =>
        this.publish(input.CodeSha256, input.Description),
      );
    mock.on(GetAliasCommand).callsFake((input: { Name?: string }) => {
      const alias = this.aliases.get(input.Name ?? '');
      if (alias === undefined) throw notFound(`Alias not found: ${input.Name}`);
      return this.#configuration(input.Name ?? '', alias);
    });
    mock
      .on(UpdateAliasCommand)
      .callsFake(
        (input: {
          Name?: string;
          FunctionVersion?: string;
          RevisionId?: string;
          RoutingConfig?: { AdditionalVersionWeights?: Record<string, number> };
        }) => {
          const name = input.Name ?? '';
          const alias = this.aliases.get(name);
          if (alias === undefined) throw notFound(`Alias not found: ${name}`);
          if (input.RevisionId !== undefined && input.RevisionId !== alias.revision) {
            throw new PreconditionFailedException({
              message: 'The Revision Id provided does not match the latest Revision Id.',
              $metadata: {},
            });
          }
          const version = input.FunctionVersion ?? alias.version;
          const weights = input.RoutingConfig?.AdditionalVersionWeights ?? alias.weights;
          for (const named of [version, ...Object.keys(weights)]) {
            if (named !== '$LATEST' && !this.versions.some((v) => v.Version === named)) {
              throw notFound(`Function not found: ${this.functionName}:${named}`);
            }
          }
          return this.#configuration(name, this.setAlias(name, version, weights));
        },
      );
  }

  /** Deploys new code to `$LATEST` (what `cdk deploy` does). */
  deploy(sha: string): void {
    this.latestSha = sha;
  }

  /** Creates or moves an alias directly, with a new RevisionId (the console, another machine). */
  setAlias(name: string, version: string, weights: Record<string, number> = {}): FakeAlias {
    const alias = { version, weights: { ...weights }, revision: `rev-${++this.#revisions}` };
    this.aliases.set(name, alias);
    return alias;
  }

  /** PublishVersion: with `expected`, only if `$LATEST` holds that code. */
  publish(expected?: string, description?: string): FunctionConfiguration {
    if (expected !== undefined && expected !== this.latestSha) {
      throw new InvalidParameterValueException({
        message: `CodeSHA256 (${expected}) is different from current CodeSHA256 in $LATEST (${this.latestSha}). Please try again with the CodeSHA256 in $LATEST.`,
        $metadata: {},
      });
    }
    // Lambda publishes nothing when the newest version already holds $LATEST's code.
    const newest = this.versions.at(-1);
    if (newest !== undefined && newest.CodeSha256 === this.latestSha) return newest;
    const version: FunctionConfiguration = {
      Version: String(this.versions.length + 1),
      CodeSha256: this.latestSha ?? '',
      Description: description ?? '',
      LastModified: '2024-05-01T10:00:00.000+0000',
    };
    this.versions.push(version);
    return version;
  }

  #configuration(name: string, alias: FakeAlias): AliasConfiguration {
    return {
      Name: name,
      FunctionVersion: alias.version,
      RevisionId: alias.revision,
      ...(Object.keys(alias.weights).length > 0 && {
        RoutingConfig: { AdditionalVersionWeights: { ...alias.weights } },
      }),
    };
  }

  #checkFunction(name: string | undefined): void {
    if (name !== this.functionName) throw notFound(`Function not found: ${name}`);
  }
}

function notFound(message: string): ResourceNotFoundException {
  return new ResourceNotFoundException({ message, $metadata: {} });
}
