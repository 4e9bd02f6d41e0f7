/**
 * API Gateway resource paths (`/user/{id}`, `/files/{proxy+}`), parsed once. The Lambda's
 * router, the local gateway and the CDK stack all compile the route table through this module,
 * so the three cannot disagree on what a pattern means.
 *
 * Matching works on path segments the caller has already split (and, where it wants, decoded):
 * the local gateway decodes before matching, the Lambda router after, and that difference is
 * theirs to keep, not this module's.
 */
import { StagecraftError } from '../errors.ts';

/** Why a resource path cannot be compiled. */
export type RoutePatternErrorCode = 'route.invalid';

/** A resource path in the route table that API Gateway would not accept as written. */
export class RoutePatternError extends StagecraftError<RoutePatternErrorCode> {
  override readonly name = 'RoutePatternError';
}

/** One segment of a resource path. */
export type PatternSegment =
  /** A fixed segment such as `user`. */
  | { readonly kind: 'literal'; readonly value: string }
  /** `{name}`: exactly one non-empty segment. */
  | { readonly kind: 'param'; readonly name: string }
  /** `{name+}`: the rest of the path, one segment or more; only last. */
  | { readonly kind: 'greedy'; readonly name: string };

// API Gateway path parts: a literal segment, `{name}` or (last only) `{name+}`.
const LITERAL = /^[A-Za-z0-9._~-]+$/;
const PARAM = /^\{([A-Za-z_][A-Za-z0-9_]*)(\+?)\}$/;

/** A compiled resource path. */
export class RoutePattern {
  readonly segments: readonly PatternSegment[];
  /** The parameter names, in order: `/user/{id}` → `['id']`. */
  readonly paramNames: readonly string[];
  /** True when the last segment is `{name+}`. */
  readonly greedy: boolean;
  private readonly literals: number;

  /**
   * @param source the resource path, e.g. `/user/{id}`
   * @throws RoutePatternError when it is not an absolute path of literal, `{param}` or (last)
   *   `{proxy+}` segments, or names a parameter twice
   */
  constructor(readonly source: string) {
    const parts = source.split('/').slice(1);
    if (!source.startsWith('/') || parts.length === 0) {
      throw invalid(source, 'it must start with / and name at least one segment');
    }
    this.segments = parts.map((part, index) =>
      parseSegment(source, part, index === parts.length - 1),
    );
    this.paramNames = this.segments.flatMap((segment) =>
      segment.kind === 'literal' ? [] : [segment.name],
    );
    if (new Set(this.paramNames).size !== this.paramNames.length) {
      throw invalid(source, 'a parameter name appears twice');
    }
    this.greedy = this.segments.at(-1)?.kind === 'greedy';
    this.literals = this.segments.filter((segment) => segment.kind === 'literal').length;
  }

  /**
   * The parameters when `segments` (a path split on `/`, without the leading empty one) match,
   * else undefined. Values are the segments as given; a greedy value joins its segments with
   * `/`. A parameter never matches an empty segment.
   */
  match(segments: readonly string[]): Record<string, string> | undefined {
    const fixed = this.greedy ? this.segments.length - 1 : this.segments.length;
    if (this.greedy ? segments.length <= fixed : segments.length !== fixed) return undefined;
    const params: Record<string, string> = {};
    for (const [index, spec] of this.segments.entries()) {
      if (spec.kind === 'greedy') {
        const rest = segments.slice(index);
        if (rest.includes('')) return undefined;
        params[spec.name] = rest.join('/');
        break;
      }
      const segment = segments[index] ?? '';
      if (spec.kind === 'literal') {
        if (segment !== spec.value) return undefined;
      } else {
        if (segment === '') return undefined;
        params[spec.name] = segment;
      }
    }
    return params;
  }

  /**
   * Negative when this pattern is more specific than `other` (it wins where both match):
   * a fixed-length pattern beats a greedy one, then more literal segments win. Zero leaves the
   * choice to table order.
   */
  compareSpecificity(other: RoutePattern): number {
    if (this.greedy !== other.greedy) return this.greedy ? 1 : -1;
    return other.literals - this.literals;
  }
}

/** A compiled pattern with whatever the caller attached to it. */
export interface PatternEntry<T> {
  readonly pattern: RoutePattern;
  /** The caller's value for it (a route set, a resource name). */
  readonly value: T;
}

/**
 * The most specific entry whose pattern matches `segments`, with its parameters; on a tie the
 * earlier entry wins. Undefined when none matches.
 */
export function bestMatch<T>(
  entries: readonly PatternEntry<T>[],
  segments: readonly string[],
): { readonly entry: PatternEntry<T>; readonly params: Record<string, string> } | undefined {
  let best: { entry: PatternEntry<T>; params: Record<string, string> } | undefined;
  for (const entry of entries) {
    if (best !== undefined && entry.pattern.compareSpecificity(best.entry.pattern) >= 0) continue;
    const params = entry.pattern.match(segments);
    if (params !== undefined) best = { entry, params };
  }
  return best;
}

/** One API Gateway resource: its full path, its last segment and its parent's path. */
export interface ResourceNode {
  /** Full path, e.g. `/user/{id}`. */
  readonly path: string;
  /** The last segment, API Gateway's `PathPart`, e.g. `{id}`. */
  readonly pathPart: string;
  /** The parent's full path; `/` for a top-level resource. */
  readonly parentPath: string;
}

/**
 * Every resource the patterns need, parents before children (intermediate ones such as
 * `/user` included), each once: what API Gateway's resource tree is built from.
 */
export function resourceTree(patterns: readonly RoutePattern[]): ResourceNode[] {
  const seen = new Map<string, ResourceNode>();
  for (const pattern of patterns) {
    let parentPath = '/';
    for (const segment of pattern.segments) {
      const pathPart = formatSegment(segment);
      const path = parentPath === '/' ? `/${pathPart}` : `${parentPath}/${pathPart}`;
      if (!seen.has(path)) seen.set(path, { path, pathPart, parentPath });
      parentPath = path;
    }
  }
  return [...seen.values()];
}

function parseSegment(source: string, part: string, last: boolean): PatternSegment {
  if (LITERAL.test(part)) return { kind: 'literal', value: part };
  const param = PARAM.exec(part);
  if (param === null) {
    throw invalid(source, `'${part}' is neither a plain segment nor {name}`);
  }
  const name = param[1] ?? '';
  if (param[2] !== '+') return { kind: 'param', name };
  if (!last) throw invalid(source, `the greedy {${name}+} must be the last segment`);
  return { kind: 'greedy', name };
}

function formatSegment(segment: PatternSegment): string {
  switch (segment.kind) {
    case 'literal':
      return segment.value;
    case 'param':
      return `{${segment.name}}`;
    case 'greedy':
      return `{${segment.name}+}`;
  }
}

function invalid(source: string, why: string): RoutePatternError {
  return new RoutePatternError('route.invalid', `route resource '${source}' is invalid: ${why}`);
}
