import { DEFAULT_STACK_NAME } from '../../../config/aws-stack.ts';
import { DEFAULT_STATE_DIR } from '../../../state/layout.ts';
import type { CommandSpec } from '../../command.ts';

export { DEFAULT_STATE_DIR };

/** `stagecraft deploy`: help and flags, so `--help` and docs/aws.md say the same thing. */
export const DEPLOY: CommandSpec = {
  name: 'deploy',
  summary: 'deploy the AWS stack with cdk, keeping the prod alias where it is live',
  usage:
    'stagecraft deploy --target aws [--stack NAME] [--profile NAME] [--region NAME] [--prod-version N|latest] [--state-dir DIR] [--dry-run] [--json] [-- CDK_ARGS…]',
  description: [
    'Deploys the CDK stack (src/infra) with `cdk deploy`: tables, the Lambda ($LATEST, which the',
    'staging alias follows), the REST API and its stages. The prod alias stays where it is live:',
    'the command reads it first (DescribeStacks → FunctionName, GetAlias prod) and passes it as the',
    'ProdVersion parameter. Move prod only with `stagecraft release promote|rollback --target aws`.',
    '',
    'The live read and the cdk run hold the release lock of the state dir (the one the release',
    'commands take), so a promote or rollback cannot land in between and be undone by the deploy.',
    'While a release command holds it, deploy refuses at once (exit 1); --dry-run takes no lock.',
    '',
    'First deploy (no stack yet): no version exists, so pass --prod-version latest; prod follows',
    '$LATEST until the first `release promote` (which publishes the verified $LATEST).',
    '',
    '--target local: the local stack needs no deploy; `stagecraft dev` is it.',
  ],
  sections: [
    {
      title: 'Options',
      flags: [
        {
          label: '--target aws|local',
          name: 'target',
          type: 'string',
          text: 'where to deploy (required)',
        },
        {
          label: '--stack NAME',
          name: 'stack',
          type: 'string',
          text: `CloudFormation stack name (default ${DEFAULT_STACK_NAME})`,
        },
        {
          label: '--profile NAME',
          name: 'profile',
          type: 'string',
          text: 'AWS profile for the live read and for cdk (default: AWS_PROFILE / default)',
        },
        {
          label: '--region NAME',
          name: 'region',
          type: 'string',
          text: 'AWS region (default: AWS_REGION / the profile’s region)',
        },
        {
          label: '--prod-version N|latest',
          name: 'prod-version',
          type: 'string',
          text: 'first deploy: latest; repair: the version prod must keep when the live alias is unreadable',
        },
        {
          label: '--state-dir DIR',
          name: 'state-dir',
          type: 'string',
          text: `state dir whose release lock to hold (default ${DEFAULT_STATE_DIR}; as for release)`,
        },
        {
          label: '--dry-run',
          name: 'dry-run',
          text: 'read the live alias and print the cdk command; deploy nothing',
        },
        {
          label: '--json',
          name: 'json',
          text: "print one JSON object (the plan and what was done); cdk's output goes to stderr",
        },
        {
          label: '-- CDK_ARGS…',
          text: 'passed to cdk deploy as they are (e.g. -- --require-approval never)',
        },
        { label: '-h, --help', name: 'help', short: 'h', text: 'show this help' },
      ],
    },
  ],
  exitCodes: [
    '0  deployed (or --dry-run / --target local)',
    '1  refused (would move prod, canary running, stack busy, release lock held), AWS read failed, or cdk failed',
    '2  bad command line',
  ],
  examples: [
    'stagecraft deploy --target aws --prod-version latest   # first deploy',
    'stagecraft deploy --target aws --dry-run --json',
    'stagecraft deploy --target aws -- --require-approval never',
  ],
  passThrough: true,
  load: () => import('./index.ts'),
};
