/**
 * Matches a request path to a stage and an API resource the way API Gateway (REST) does on its
 * execute-api URL: `/<stage>/<resource path>`, segments split on `/` before decoding (so an
 * encoded `%2F` stays inside one path parameter), literal segments preferred over `{param}`,
 * one trailing slash ignored for matching, an empty segment elsewhere matching nothing.
 *
 * What the function is given stays as the client sent it: the event's `path` and its path
 * parameters are not percent-decoded (captured REST proxy events show `path` still encoded, and
 * API Gateway passes path parameters as they appear in the path), and a trailing slash stays in
 * `path`. See docs/local.md, "Parity with API Gateway".
 */
import { bestMatch, RoutePattern, type PatternEntry } from '../../service/route-pattern.ts';

/** A request matched to a stage and a resource. */
export interface ResourceMatch {
  /** The stage, the first path segment. */
  readonly stage: string;
  /** The resource path, e.g. `/user/{id}`. */
  readonly resource: string;
  /**
   * The path without the stage as sent, still percent-encoded, trailing slash kept (the event's
   * `path`), e.g. `/user/abc%41`.
   */
  readonly path: string;
  /** Path parameters as sent (not percent-decoded), or null when the resource has none. */
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
    // `/stage/user/x/` is routed as `/stage/user/x` (API Gateway ignores one trailing slash when
    // it picks the resource; the event's `path` keeps it).
    const routed =
      rawSegments.length > 1 && rawSegments.at(-1) === '' ? rawSegments.slice(0, -1) : rawSegments;
    // Literal segments compare decoded; an empty segment anywhere else matches nothing.
    const segments = routed.map(decodeSegment);
    if (segments.includes('')) return undefined;
    const found = bestMatch(this.resources, segments);
    if (found === undefined) return undefined;
    const pathParameters = rawParameters(found.entry.pattern, routed);
    return {
      stage,
      resource: found.entry.value,
      path: rawPath.slice(1 + rawStage.length) || '/',
      pathParameters,
    };
  }
}

// The parameters of `pattern` taken from the raw (still encoded) segments it matched: API
// Gateway does not decode them (`/user/abcd%41efgh` gives `id` = `abcd%41efgh`).
function rawParameters(
  pattern: RoutePattern,
  rawSegments: readonly string[],
): Record<string, string> | null {
  if (pattern.paramNames.length === 0) return null;
  const params: Record<string, string> = {};
  for (const [index, spec] of pattern.segments.entries()) {
    if (spec.kind === 'param') params[spec.name] = rawSegments[index] ?? '';
    else if (spec.kind === 'greedy') params[spec.name] = rawSegments.slice(index).join('/');
  }
  return params;
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
