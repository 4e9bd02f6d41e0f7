/**
 * Matches a request path to a stage and an API resource the way API Gateway (REST) does on its
 * execute-api URL: `/<stage>/<resource path>`, segments split on `/` before decoding (so an
 * encoded `%2F` stays inside one path parameter), literal segments preferred over `{param}`,
 * no trailing-slash or empty-segment leniency.
 */
import { bestMatch, RoutePattern, type PatternEntry } from '../../service/route-pattern.ts';

/** A request matched to a stage and a resource. */
export interface ResourceMatch {
  /** The stage, the first path segment. */
  readonly stage: string;
  /** The resource path, e.g. `/user/{id}`. */
  readonly resource: string;
  /** The decoded path without the stage (the event's `path`), e.g. `/user/abc`. */
  readonly path: string;
  /** Decoded path parameters, or null when the resource has none. */
  readonly pathParameters: Record<string, string> | null;
}

/** Resolves raw request paths against a fixed set of stages and resource paths. */
export class ResourceMatcher {
  private readonly stages: ReadonlySet<string>;
  private readonly resources: readonly PatternEntry<string>[];

  /**
   * @param stages the deployed stage names
   * @param resources resource paths such as `/user/{id}`
   */
  constructor(stages: readonly string[], resources: readonly string[]) {
    this.stages = new Set(stages);
    this.resources = [...new Set(resources)].map((resource) => ({
      pattern: new RoutePattern(resource),
      value: resource,
    }));
  }

  /**
   * The stage and resource for a raw path (no query string), or undefined when nothing is
   * deployed there.
   */
  match(rawPath: string): ResourceMatch | undefined {
    if (!rawPath.startsWith('/')) return undefined;
    const [, rawStage = '', ...rawSegments] = rawPath.split('/');
    const stage = decodeSegment(rawStage);
    if (!this.stages.has(stage)) return undefined;
    const segments = rawSegments.map(decodeSegment);
    // API Gateway refuses an empty segment anywhere, literal positions included.
    if (segments.includes('')) return undefined;
    const found = bestMatch(this.resources, segments);
    if (found === undefined) return undefined;
    return {
      stage,
      resource: found.entry.value,
      path: `/${segments.join('/')}`,
      pathParameters: Object.keys(found.params).length > 0 ? found.params : null,
    };
  }
}

/**
 * Percent-decodes one path segment; a malformed escape leaves the segment as sent, so the
 * function's own validation names the problem instead of the gateway failing.
 */
export function decodeSegment(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
