// Stages → aliases → versions, drawn as a picture: each stage's alias points at one version,
// or splits between two with their weights during a canary. Each version shows its code
// sha256 (short), publish time, description and whether the last verification covers it.
import { LATEST, STAGES } from '../../../config/stages.ts';
import { formatRouting } from '../../../platform/alias.ts';
import type { VersionInfo } from '../../../platform/version.ts';
import type { ApiStageStatus } from '../../../release/operations/status.ts';
import type { ConsoleState } from '../../state.ts';
import { h, replace, shortSha, time } from '../dom.ts';
import type { Panel } from '../panel.ts';

interface Share {
  readonly version: string;
  readonly weight: number;
}

// The alias's versions with their shares: the main version gets what the weights leave.
function shares(alias: { version: string; weights?: Readonly<Record<string, number>> }): Share[] {
  const extra = Object.entries(alias.weights ?? {}).map(([version, weight]) => ({
    version,
    weight,
  }));
  const rest = 1 - extra.reduce((sum, share) => sum + share.weight, 0);
  return [{ version: alias.version, weight: rest }, ...extra];
}

function percent(weight: number): string {
  return `${Math.round(weight * 1000) / 10}%`;
}

function versionCard(
  share: Share,
  state: ConsoleState,
  split: boolean,
  latestSha: string | null,
): HTMLElement {
  const info: VersionInfo | undefined = state.status?.versions.find(
    (v) => v.version === share.version,
  );
  const sha = share.version === LATEST ? latestSha : (info?.code_sha256 ?? null);
  const verified = state.verified_versions.includes(share.version);
  const name = share.version === LATEST ? LATEST : `v${share.version}`;
  return h(
    'li',
    {
      class: 'version',
      'data-version': share.version,
      style: `--share:${(share.weight * 100).toFixed(1)}%`,
    },
    h(
      'div',
      { class: 'version-head' },
      h('strong', { class: 'version-name' }, name),
      split &&
        h('span', { class: 'weight', 'data-weight': String(share.weight) }, percent(share.weight)),
      h(
        'span',
        { class: `badge ${verified ? 'ok' : 'warn'}` },
        verified ? 'verified' : 'unverified',
      ),
    ),
    split && h('div', { class: 'bar', 'aria-hidden': 'true' }, h('span', {})),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'code'),
      h('dd', {}, h('code', { title: sha ?? undefined }, shortSha(sha))),
      h('dt', {}, 'published'),
      h(
        'dd',
        {},
        share.version === LATEST ? 'not published (the current build)' : time(info?.published_at),
      ),
      info !== undefined && info.description !== '' && h('dt', {}, 'description'),
      info !== undefined && info.description !== '' && h('dd', {}, info.description),
    ),
  );
}

// The stage's API deployment (an immutable snapshot of the API definition): id, created,
// verified. Absent when the state dir has none yet.
function apiLine(api: ApiStageStatus | undefined): HTMLElement | false {
  if (api === undefined) return false;
  return h(
    'p',
    { class: 'api', 'data-api': api.deployment },
    h('span', { class: 'label', title: 'API Gateway deployment' }, 'API deployment'),
    h('code', { title: api.deployment }, shortSha(api.deployment)),
    api.created_at !== '' && h('span', { class: 'muted' }, 'created ', time(api.created_at)),
    h(
      'span',
      { class: `badge ${api.verified ? 'ok' : 'warn'}` },
      api.verified ? 'verified' : 'unverified',
    ),
    api.description !== '' && h('span', { class: 'muted' }, api.description),
  );
}

/** The stages panel. */
export function stagesPanel(): Panel {
  let root: HTMLElement;
  return {
    id: 'stages',
    title: 'Stages',
    mount(body) {
      root = h('div', { class: 'stages' });
      body.appendChild(root);
    },
    update(state) {
      const status = state.status;
      if (status === null) {
        replace(root, h('p', { class: 'problem' }, 'The release state cannot be read.'));
        return;
      }
      const latestSha =
        status.aliases.staging.version === LATEST ? status.aliases.staging.code_sha256 : null;
      replace(
        root,
        ...STAGES.map((stage) => {
          const alias = status.aliases[stage];
          const split = shares(alias);
          return h(
            'article',
            { class: 'stage', 'data-stage': stage, 'aria-label': `stage ${stage}` },
            h(
              'h3',
              { class: 'route' },
              h('span', { class: 'node stage-node' }, stage),
              h('span', { class: 'edge', 'aria-hidden': 'true' }),
              h('span', { class: 'node alias-node', title: 'Lambda alias' }, `alias ${stage}`),
              h('span', { class: 'edge', 'aria-hidden': 'true' }),
              h('span', { class: 'serves', 'data-serves': stage }, formatRouting(alias, 'serving')),
            ),
            h(
              'ul',
              { class: `versions${split.length > 1 ? ' split' : ''}` },
              ...split.map((share) => versionCard(share, state, split.length > 1, latestSha)),
            ),
            apiLine(status.api?.[stage]),
          );
        }),
      );
    },
  };
}
