/** The CDK app entry point (cdk.json `app`): builds the app and writes the cloud assembly. */
import { createApp } from './app.ts';
import { InfraContextError } from './context.ts';

try {
  const { app } = await createApp();
  app.synth();
} catch (error) {
  // A bad --context value is the user's to fix: the message, not a stack trace.
  if (!(error instanceof InfraContextError)) throw error;
  process.stderr.write(`stagecraft infra: ${error.message}\n`);
  process.exitCode = 1;
}
