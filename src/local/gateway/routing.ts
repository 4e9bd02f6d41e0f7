/**
 * Matches a request path to a stage and an API resource the way API Gateway (REST) does on its
 * execute-api URL: `/<stage>/<resource path>`, segments split on `/` before decoding (so an
 * encoded `%2F` stays inside one path parameter), literal segments preferred over `{param}`,
 * no trailing-slash or empty-segment leniency.
 */

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

type Segment = { readonly literal: string } | { readonly param: string };

interface CompiledResource {
  readonly resource: string;
  readonly segments: readonly Segment[];
}

/** Resolves raw request paths against a fixed set of stages and resource paths. */
export class ResourceMatcher {
  private readonly stages: ReadonlySet<string>;
  private readonly resources: readonly CompiledResource[];

  /**
   * @param stages the deployed stage names
   * @param resources resource paths such as `/user/{id}`
   */
  constructor(stages: readonly string[], resources: readonly string[]) {
    this.stages = new Set(stages);
    this.resources = [...new Set(resources)].map((resource) => ({
      resource,
      segments: resource
        .split('/')
        .slice(1)
        .map((segment) => {
          const param = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(segment)?.[1];
          return param === undefined ? { literal: segment } : { param };
        }),
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
    let best: { resource: CompiledResource; literals: number } | undefined;
    for (const resource of this.resources) {
      const literals = matchSegments(resource.segments, segments);
      if (literals !== undefined && (best === undefined || literals > best.literals)) {
        best = { resource, literals };
      }
    }
    if (best === undefined) return undefined;
    const pathParameters: Record<string, string> = {};
    best.resource.segments.forEach((segment, index) => {
      if ('param' in segment) pathParameters[segment.param] = segments[index] ?? '';
    });
    return {
      stage,
      resource: best.resource.resource,
      path: `/${segments.join('/')}`,
      pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : null,
    };
  }
}

// The number of literal segments matched (more is more specific), or undefined for no match.
function matchSegments(
  pattern: readonly Segment[],
  segments: readonly string[],
): number | undefined {
  if (pattern.length !== segments.length) return undefined;
  let literals = 0;
  for (const [index, part] of pattern.entries()) {
    const segment = segments[index] ?? '';
    if (segment === '') return undefined;
    if ('literal' in part) {
      if (part.literal !== segment) return undefined;
      literals++;
    }
  }
  return literals;
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
