/**
 * What one stage's gateway serves: the routes and request models of the API deployment the
 * stage is on. Each deployment gets its own {@link ResourceMatcher} (built from that snapshot's
 * resources), so staging and prod can serve different route tables at once.
 */
import type { ApiDefinition, ApiRoute } from '../../service/api-definition.ts';
import type { BodyModel } from '../../service/request-model.ts';
import { ResourceMatcher } from './routing.ts';

/** One stage's API, from one deployment. */
export interface StageApi {
  /** The deployment id. */
  readonly deployment: string;
  /** `/<stage>/<resource>` → resource, for this deployment's resources. */
  readonly matcher: ResourceMatcher;
  /** The JSON request model of a method, if it has one. */
  model(resource: string, method: string): BodyModel | undefined;
  /** The route's operation (`operationName` of the event), if declared. */
  operationName(resource: string, method: string): string | undefined;
}

/** Where the gateway finds a stage's API for each request. */
export interface StageApiSource {
  /** The stage's API now; undefined when the stage has no deployment. */
  forStage(stage: string): Promise<StageApi | undefined>;
}

/** The {@link StageApi} of `stage` on the deployment `deployment` with `definition`. */
export function stageApi(stage: string, deployment: string, definition: ApiDefinition): StageApi {
  // method → resource → route: looked up per request without building a key string.
  const routes = new Map<string, Map<string, ApiRoute>>();
  for (const route of definition.routes) {
    let byResource = routes.get(route.method);
    if (byResource === undefined) {
      byResource = new Map();
      routes.set(route.method, byResource);
    }
    byResource.set(route.resource, route);
  }
  return {
    deployment,
    matcher: new ResourceMatcher(
      [stage],
      definition.routes.map((route) => route.resource),
    ),
    model: (resource, method) => routes.get(method)?.get(resource)?.model,
    operationName: (resource, method) => routes.get(method)?.get(resource)?.operation,
  };
}
