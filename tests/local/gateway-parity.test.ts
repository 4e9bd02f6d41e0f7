// The local stack answers like the deployed one: its gateway responses, stage variable and
// function settings mirror the CDK stack's (which the local stack cannot import at start-up
// without loading aws-cdk-lib). This test fails when one side changes without the other.
import { describe, expect, it } from 'vitest';
import { GATEWAY_RESPONSES, STAGE_VARIABLE } from '../../src/infra/api.ts';
import { FUNCTION_MEMORY_MB, FUNCTION_TIMEOUT_SECONDS } from '../../src/infra/settings.ts';
import { DEPLOYED_GATEWAY_RESPONSES } from '../../src/local/gateway/gateway-responses.ts';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_MS } from '../../src/local/lambda/runner.ts';
import { STAGE_VARIABLE as LOCAL_STAGE_VARIABLE } from '../../src/local/stack.ts';

describe('local ↔ deployed parity', () => {
  it('customises the same gateway responses the same way', () => {
    const deployed = Object.fromEntries(
      GATEWAY_RESPONSES.map((response) => [
        response.type.responseType,
        {
          ...(response.statusCode !== undefined && { statusCode: Number(response.statusCode) }),
          template: response.body,
        },
      ]),
    );
    expect(DEPLOYED_GATEWAY_RESPONSES).toEqual(deployed);
  });

  it('uses the same stage variable, timeout and memory size', () => {
    expect(LOCAL_STAGE_VARIABLE).toBe(STAGE_VARIABLE);
    expect(DEFAULT_TIMEOUT_MS).toBe(FUNCTION_TIMEOUT_SECONDS * 1000);
    expect(DEFAULT_MEMORY_MB).toBe(FUNCTION_MEMORY_MB);
  });
});
