// A small in-memory API Gateway behind aws-sdk-client-mock, for the ControlPlane contract
// suite: one REST API with deployments and stages, answering GetStage, GetDeployments (paged)
// and UpdateStage's `replace /deploymentId` as API Gateway does (NotFoundException for an
// unknown stage or deployment).
import {
  type APIGatewayClient,
  GetDeploymentsCommand,
  GetStageCommand,
  NotFoundException,
  UpdateStageCommand,
  type PatchOperation,
} from '@aws-sdk/client-api-gateway';
import { mockClient } from 'aws-sdk-client-mock';

const PAGE = 2;

function notFound(message: string): NotFoundException {
  return new NotFoundException({ message, $metadata: { httpStatusCode: 404 } });
}

export class FakeApiGateway {
  readonly deployments: { id: string; createdDate: Date; description: string }[] = [];
  readonly stages = new Map<string, string>();

  constructor(
    client: APIGatewayClient,
    readonly restApiId: string,
  ) {
    const mock = mockClient(client);
    mock.on(GetStageCommand).callsFake((input: { restApiId?: string; stageName?: string }) => {
      const deploymentId = this.#stage(input.restApiId, input.stageName);
      return { stageName: input.stageName, deploymentId };
    });
    mock.on(GetDeploymentsCommand).callsFake((input: { restApiId?: string; position?: string }) => {
      this.#api(input.restApiId);
      const start = Number(input.position ?? '0');
      const items = this.deployments.slice(start, start + PAGE);
      const next = start + PAGE;
      return { items, ...(next < this.deployments.length && { position: String(next) }) };
    });
    mock
      .on(UpdateStageCommand)
      .callsFake(
        (input: { restApiId?: string; stageName?: string; patchOperations?: PatchOperation[] }) => {
          this.#stage(input.restApiId, input.stageName);
          for (const op of input.patchOperations ?? []) {
            if (op.op !== 'replace' || op.path !== '/deploymentId') {
              throw new Error(
                `the fake supports replace /deploymentId only, not ${op.op} ${op.path}`,
              );
            }
            const id = op.value;
            if (id === undefined || !this.deployments.some((d) => d.id === id)) {
              throw notFound('Invalid deployment identifier specified');
            }
            this.stages.set(input.stageName ?? '', id);
          }
          return {
            stageName: input.stageName,
            deploymentId: this.stages.get(input.stageName ?? ''),
          };
        },
      );
  }

  /** A new deployment, created now (one second after the previous one). */
  deploy(id: string, description = ''): void {
    const createdDate = new Date(Date.UTC(2024, 4, 1, 9, 0, this.deployments.length));
    this.deployments.push({ id, createdDate, description });
  }

  #api(restApiId: string | undefined): void {
    if (restApiId !== this.restApiId) throw notFound('Invalid API identifier specified');
  }

  #stage(restApiId: string | undefined, stageName: string | undefined): string {
    this.#api(restApiId);
    const deploymentId = this.stages.get(stageName ?? '');
    if (deploymentId === undefined) throw notFound('Invalid stage identifier specified');
    return deploymentId;
  }
}
