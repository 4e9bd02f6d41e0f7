/**
 * Builds the CDK app: bundles the Lambda (the same deterministic zip the local stack runs),
 * reads context, and instantiates the stack. Side-effect free apart from writing the bundle,
 * so tests synthesize it in-process.
 */
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildLambdaBundle, HANDLER_ENTRY, type LambdaBundle } from '../build/bundle.ts';
import { PROJECT_ROOT } from '../config/project-paths.ts';
import { STAGES, tableNameFor, type Stage } from '../config/stages.ts';
import { readInfraSettings } from './context.ts';
import { StagecraftStack } from './stack.ts';

/** Where the bundle is written by default: `dist/lambda/` in the project. */
export const DEFAULT_BUNDLE_DIR = join(PROJECT_ROOT, 'dist', 'lambda');

/** Options for {@link createApp}. */
export interface CreateAppOptions {
  /**
   * The handler module to bundle.
   * @default HANDLER_ENTRY (src/service/handler.ts)
   */
  readonly entry?: string;
  /**
   * Where `function.zip` is written before CDK stages it as an asset.
   * @default DEFAULT_BUNDLE_DIR
   */
  readonly bundleDir?: string;
  /**
   * The cloud assembly directory.
   * @default CDK_OUTDIR when run by the cdk CLI, else a temporary directory (CDK's default)
   */
  readonly outdir?: string;
  /**
   * Context values (cdk.json's and `--context` ones arrive through the CLI and win over these).
   * @example { stackName: 'StagecraftDev' }
   */
  readonly context?: Record<string, unknown>;
  /**
   * The environment table-name overrides are read from (`STAGECRAFT_TABLE_*`).
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
}

/** The app, its one stack and the bundle it deploys. */
export interface StagecraftApp {
  /** The CDK app; call `synth()` to write the cloud assembly. */
  readonly app: App;
  readonly stack: StagecraftStack;
  /** The Lambda bundle the stack deploys. */
  readonly bundle: LambdaBundle;
}

/** Bundles the Lambda and builds the app with its stack. */
export async function createApp(options: CreateAppOptions = {}): Promise<StagecraftApp> {
  const bundle = await buildLambdaBundle({
    entry: options.entry ?? HANDLER_ENTRY,
    outDir: options.bundleDir ?? DEFAULT_BUNDLE_DIR,
  });
  const zipPath =
    bundle.files?.zip ?? join(options.bundleDir ?? DEFAULT_BUNDLE_DIR, 'function.zip');
  // No usage-analytics metadata resource: the template holds only what the API needs.
  const app = new App({
    analyticsReporting: false,
    ...(options.outdir !== undefined && { outdir: options.outdir }),
    ...(options.context !== undefined && { context: options.context }),
  });
  const settings = readInfraSettings((key) => app.node.tryGetContext(key));
  const env = options.env ?? process.env;
  const tableNames = Object.fromEntries(
    STAGES.map((stage) => [stage, tableNameFor(stage, env)]),
  ) as Record<Stage, string>;
  // No `env`: an environment-agnostic stack needs no account or region at synth time, so
  // `npm run synth` works offline without credentials; the deploy's credentials choose them.
  const stack = new StagecraftStack(app, settings.stackName, {
    description:
      'stagecraft: API Gateway (REST) -> Lambda aliases -> DynamoDB, stages staging and prod',
    code: { zipPath, codeSha256: bundle.codeSha256 },
    tableNames,
    ...(settings.domain !== undefined && { domain: settings.domain }),
  });
  return { app, stack, bundle };
}
