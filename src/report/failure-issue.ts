import { Ajv } from 'ajv';
import type { FromSchema } from 'json-schema-to-ts';
import { failureIssueStateSchema } from './failure-issue-state-schema.js';
import type { BuildResult } from '../dispatch/build-result.js';
import type { Problem } from '../log.js';
import { formatProblem } from '../log.js';
import { codeSpan, tableCell } from '../escape.js';
import { details, link, table } from './markdown.js';
import { groupProblems } from '../problem-kinds.js';
import { OUTCOMES } from './outcomes.js';
import { describeFrozenBranch, type FrozenBranch } from './package-report.js';

/** The label that, with the marker in its body, finds the failure issue of a product stream. */
export const FAILURE_ISSUE_LABEL = 'image-rebuild-failures';

/** Something a person must look at, as the failure issue lists it night after night. */
/** One thing that needs a person tonight, as the state keeps it without its streak (`key`: stable across nights; `url`: the run to look at). */
export type FailureItem = Omit<TrackedFailure, 'since' | 'nights'>;

/**
 * What the issue remembers between nights, in a hidden block of its body: typed from its schema
 * (failure-issue-state.schema.json), the one source of the contract.
 */
export type FailureIssueState = FromSchema<typeof failureIssueStateSchema>;

/** One item of the state: its current streak (`since`, the first night; `nights`, days in a row it failed, today included). */
export type TrackedFailure = FailureIssueState['failures'][number];

/** The issue as the tracker sees it. */
export interface TrackedIssue {
  number: number;
  state: 'open' | 'closed';
  body: string;
  htmlUrl: string;
}

/** The issue calls the failure issue needs: the report phase owns this interface; src/github implements it. */
export interface IssueTracker {
  /** Every issue (open or closed) carrying the label, newest first. */
  findByLabel(label: string): Promise<TrackedIssue[]>;
  create(title: string, body: string, labels: string[]): Promise<TrackedIssue>;
  update(number: number, changes: { body?: string; state?: 'open' | 'closed' }): Promise<void>;
  comment(number: number, body: string): Promise<void>;
}

const validateState = new Ajv({ strict: false }).compile<FailureIssueState>(failureIssueStateSchema);

/** The marker that tells this product stream's failure issue from any other issue with the label. */
export function issueMarker(productStream: string): string {
  return `<!-- hms-build-workflow-dispatcher:failure-issue ${productStream.replace(/-->/g, '')} -->`;
}

const STATE_START = '<!-- hms-build-workflow-dispatcher:state ';
const STATE_END = ' -->';

/** What needs a person after this night: builds that did not succeed, images not dispatched, planning errors. */
/** Planning errors of one kind listed one by one in the failure issue; more of a kind are one item. */
const PLANNING_ITEMS_PER_KIND = 5;

export function failuresOfNight(
  results: readonly BuildResult[],
  planningErrors: readonly Problem[],
  jobRunUrl: string | undefined,
  /** Distribution branches past their end of life (the `frozen` output): only a change of base, in the source, helps. */
  frozen: Readonly<Record<string, FrozenBranch>> = {}
): FailureItem[] {
  const items: FailureItem[] = [];
  for (const [branch, f] of Object.entries(frozen)) {
    const images = Object.keys(f.images);
    items.push({
      key: `frozen:${branch}`,
      kind: 'frozen',
      what: `${describeFrozenBranch(branch, f)}: ${images.slice(0, 10).join(', ')}${images.length > 10 ? `, and ${images.length - 10} more` : ''}`,
      url: jobRunUrl
    });
  }
  for (const r of results) {
    const kind = OUTCOMES[r.outcome].failureIssue;
    if (!kind) continue;
    const image = `${r.githubRepo} ${r.image}:${r.tag}`;
    items.push({
      key: failureKey(r) ?? '',
      kind,
      what: `${image}: ${kind === 'build' ? OUTCOMES[r.outcome].counted : (r.reason ?? 'not rebuilt')}`,
      url: kind === 'build' ? (r.runUrl ?? jobRunUrl) : jobRunUrl
    });
  }
  // a stale base fails nothing, but a person must move the images off it
  for (const problem of planningErrors.filter((p) => p.followUp)) {
    const what = formatProblem(problem);
    items.push({ key: `stale-base:${problem.where?.image ?? what}`, kind: 'stale-base', what, url: jobRunUrl });
  }
  // a kind of planning error seen many times (5,000 missing chart versions) is one item, as in the summary
  for (const group of groupProblems(planningErrors.filter((p) => p.severity === 'error'))) {
    if (group.problems.length <= PLANNING_ITEMS_PER_KIND) {
      for (const problem of group.problems) {
        const what = formatProblem(problem);
        items.push({ key: `planning:${what}`, kind: 'planning', what, url: jobRunUrl });
      }
      continue;
    }
    const [first] = group.problems;
    items.push({
      key: `planning-kind:${group.kind}`,
      kind: 'planning',
      what: `${group.problems.length.toLocaleString('en-US')} × ${group.kind} (the first: ${first ? formatProblem(first) : ''}; all in the job summary)`,
      url: jobRunUrl
    });
  }
  // one item per key (two images of one build share nothing, but a repeated planning error would)
  return [...new Map(items.map((i) => [i.key, i])).values()];
}

/** The key a build's result has in the failure issue (its streak), or undefined when it needs nobody. */
export function failureKey(r: Pick<BuildResult, 'outcome' | 'githubRepo' | 'image' | 'gitTag'>): string | undefined {
  const kind = OUTCOMES[r.outcome].failureIssue;
  return kind ? `${kind}:${r.githubRepo}:${r.image}:${r.gitTag}` : undefined;
}

/**
 * Follow-ups (a base image no longer republished) are long-standing facts: the issue lists them,
 * folded, as known and not urgent; they neither open it nor hold it open.
 */
export function isFollowUp(item: Pick<FailureItem, 'kind'>): boolean {
  return item.kind === 'stale-base' || item.kind === 'frozen';
}

/** This run's failures with their streaks in days: a failure seen on an earlier run goes on, a new one starts today, a fixed one is gone. */
export function advanceStreaks(
  previous: FailureIssueState | undefined,
  tonight: readonly FailureItem[],
  productStream: string,
  now: Date
): FailureIssueState {
  const before = new Map((previous?.failures ?? []).map((f) => [f.key, f]));
  const today = now.toISOString().slice(0, 10);
  // runs are counted by day: two runs on one day are one day of the streak
  const seenToday = previous?.lastRun.slice(0, 10) === today;
  return {
    version: 1,
    productStream,
    lastRun: now.toISOString(),
    failures: tonight.map((item) => {
      const known = before.get(item.key);
      return { ...item, since: known?.since ?? today, nights: known ? known.nights + (seenToday ? 0 : 1) : 1 };
    })
  };
}

/** The state kept in an issue body; a damaged or missing block is said, never thrown. */
export function readIssueState(body: string): { ok: true; state: FailureIssueState } | { ok: false; reason: string } {
  const start = body.indexOf(STATE_START);
  if (start < 0) return { ok: false, reason: 'no state block' };
  const end = body.indexOf(STATE_END, start + STATE_START.length);
  if (end < 0) return { ok: false, reason: 'the state block is not closed' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.slice(start + STATE_START.length, end));
  } catch {
    return { ok: false, reason: 'the state block is not JSON' };
  }
  if (!validateState(parsed))
    return { ok: false, reason: `the state block is not valid: ${validateState.errors?.[0]?.message ?? 'invalid'}` };
  return { ok: true, state: parsed };
}

const FOLLOW_UP_NOTE: Partial<Record<FailureItem['kind'], string>> = {
  'stale-base':
    'Rebuilding on these bases picks up no fixes from them: only a change of base, in the source, can. ' +
    'They do not keep this issue open. Acknowledge one in the configuration (`acknowledged`: `base`, `reason`, `until`) to leave it out until then.',
  frozen:
    'Their distribution branch is past its end of life: its index will not change again, so a rebuild installs nothing new. ' +
    'Only a change of base, in the source, brings these fixes (the job summary lists each image with its count). They do not keep this issue open.'
};

const KIND_TITLE: Record<FailureItem['kind'], string> = {
  build: 'Builds that did not succeed',
  'not-dispatched': 'Images that could not be dispatched',
  planning: 'Planning errors',
  'stale-base': 'Base images no longer republished',
  frozen: 'Frozen: no rebuild can fix these'
};

/** GitHub refuses an issue body past 65,536 characters: the body is kept well under it. */
export const MAX_ISSUE_BODY_CHARS = 60_000;
/** The hidden state takes at most this much of the body; past it, it is compacted. */
const MAX_STATE_CHARS = 30_000;

/** The state as JSON in the body: `<` and `>` written as \u003c and \u003e, so it cannot end the comment early nor hold a tag. */
function stateJson(state: FailureIssueState): string {
  return JSON.stringify(state).replace(/</g, '\\u003c').replace(/>/g, '\\u003e');
}

/**
 * The state, whole when it fits its share of the body; else each item's text cut and its link
 * dropped; else the longest streaks only (a streak left out starts again if it fails again).
 */
export function compactState(state: FailureIssueState): FailureIssueState {
  if (stateJson(state).length <= MAX_STATE_CHARS) return state;
  const cut: FailureIssueState = { ...state, failures: state.failures.map(({ url: _url, ...f }) => ({ ...f, what: f.what.slice(0, 80) })) };
  const failures = [...cut.failures].sort((a, b) => b.nights - a.nights);
  while (failures.length > 0 && stateJson({ ...cut, failures }).length > MAX_STATE_CHARS) failures.splice(Math.ceil(failures.length * 0.9));
  return { ...cut, failures };
}

/** `run 1234 on 2026-12-07 07:00 UTC`: the job's run as a person names it (its id from its page's URL). */
export function describeJobRun(lastRun: string, jobRunUrl: string | undefined): string {
  const id = jobRunUrl && /\/actions\/runs\/(\d+)/.exec(jobRunUrl)?.[1];
  const at = Number.isNaN(Date.parse(lastRun)) ? lastRun : new Date(lastRun).toISOString().slice(0, 16).replace('T', ' ');
  return `${id ? `run ${id}` : 'the run'} on ${at} UTC`;
}

/** The issue body: what needs a person, longest streak first, then the hidden state; under GitHub's bound, the rest counted. */
export function renderIssueBody(state: FailureIssueState, jobRunUrl: string | undefined): string {
  const latest = describeJobRun(state.lastRun, jobRunUrl);
  const urgent = state.failures.filter((f) => !isFollowUp(f)).length;
  const parts = [
    issueMarker(state.productStream),
    `Image rebuilds of ${codeSpan(state.productStream)} ${urgent > 0 ? 'need a person' : 'need nobody tonight'}. ` +
      'Updated by every run of the dispatcher; open while a build fails or an image cannot be rebuilt, closed when a run is all green.',
    `Latest: ${jobRunUrl ? link(latest, jobRunUrl) : tableCell(latest, 100)}${jobRunUrl ? ': its job summary lists every build, and why.' : '.'}`
  ];
  const stateBlock = `${STATE_START}${stateJson(compactState(state))}${STATE_END}`;
  let room = MAX_ISSUE_BODY_CHARS - stateBlock.length - parts.join('\n\n').length - 2_000;
  // every kind, in the order of KIND_TITLE: what fails first, follow-ups last
  for (const kind of Object.keys(KIND_TITLE) as FailureItem['kind'][]) {
    const items = state.failures.filter((f) => f.kind === kind).sort((a, b) => b.nights - a.nights || a.what.localeCompare(b.what));
    if (items.length === 0) continue;
    const followUp = isFollowUp({ kind });
    const rows: string[][] = [];
    for (const f of items) {
      const row = [tableCell(f.what), tableCell(f.since, 10), String(f.nights), f.url ? link('run', f.url) : '—'];
      const size = row.join(' | ').length + 6;
      if (size > room) break;
      room -= size;
      rows.push(row);
    }
    const listed = table(['What', followUp ? 'Known since' : 'Failing since', 'Days in a row', 'Latest run'], rows);
    const more =
      rows.length < items.length
        ? `\n\n…and ${items.length - rows.length} more, not listed: an issue holds at most 65,536 characters (the job summary lists them all).`
        : '';
    if (rows.length < items.length) room -= 200;
    // a follow-up is known and not urgent: folded, and it neither opens the issue nor keeps it open
    if (followUp)
      parts.push(details(`Known, not urgent: ${KIND_TITLE[kind]} (${items.length})`, `${FOLLOW_UP_NOTE[kind] ?? ''}\n\n${listed}${more}`));
    else parts.push(`### ${KIND_TITLE[kind]} (${items.length})`, listed + more);
  }
  parts.push(stateBlock);
  return parts.join('\n\n') + '\n';
}

/** What the failure issue became, and its state after this run (the streaks the summary shows). */
export type IssueOutcome = (
  { action: 'created' | 'updated' | 'reopened' | 'closed'; number: number; url: string; nightsOfLongest: number } | { action: 'none' }
) & { state: FailureIssueState };

/**
 * Keep the product stream's one failure issue true after a night: create it when something fails,
 * update it on every run, close it with a comment when the run is all green, reopen it on the next
 * failure. `warn` receives a damaged state block (rebuilt from this night).
 */
export async function updateFailureIssue(
  tracker: IssueTracker,
  options: { productStream: string; tonight: readonly FailureItem[]; jobRunUrl?: string; now: Date; warn(message: string): void }
): Promise<IssueOutcome> {
  const marker = issueMarker(options.productStream);
  const candidates = (await tracker.findByLabel(FAILURE_ISSUE_LABEL)).filter((i) => i.body.includes(marker));
  const existing = candidates.find((i) => i.state === 'open') ?? candidates[0];
  let previous: FailureIssueState | undefined;
  if (existing) {
    const read = readIssueState(existing.body);
    if (read.ok) previous = read.state;
    else options.warn(`failure issue #${existing.number}: ${read.reason}; rebuilt from this run`);
  }
  // a closed issue's streaks ended when it was closed
  // the follow-ups' streaks go on across closed nights: a stale base stays known however the builds fare
  const state = advanceStreaks(
    previous && existing?.state === 'open' ? previous : followUpsOf(previous),
    options.tonight,
    options.productStream,
    options.now
  );
  const urgent = state.failures.filter((f) => !isFollowUp(f));
  const longest = Math.max(0, ...urgent.map((f) => f.nights));
  const found = { state };
  const run = describeJobRun(state.lastRun, options.jobRunUrl);
  if (urgent.length === 0) {
    if (!existing || existing.state === 'closed') {
      // an issue closed on an earlier night still gets the known follow-ups, without reopening
      if (existing && state.failures.length > 0) await tracker.update(existing.number, { body: renderIssueBody(state, options.jobRunUrl) });
      return { action: 'none', ...found };
    }
    await tracker.comment(
      existing.number,
      `All green: ${options.jobRunUrl ? link(run, options.jobRunUrl) : run} rebuilt every image that needed it, and nothing needs a person. Closing.`
    );
    await tracker.update(existing.number, { state: 'closed', body: renderIssueBody(state, options.jobRunUrl) });
    return { action: 'closed', number: existing.number, url: existing.htmlUrl, nightsOfLongest: 0, ...found };
  }
  const body = renderIssueBody(state, options.jobRunUrl);
  if (!existing) {
    const created = await tracker.create(`Image rebuilds failing: ${options.productStream}`, body, [FAILURE_ISSUE_LABEL]);
    return { action: 'created', number: created.number, url: created.htmlUrl, nightsOfLongest: longest, ...found };
  }
  if (existing.state === 'closed') {
    await tracker.update(existing.number, { state: 'open', body });
    return { action: 'reopened', number: existing.number, url: existing.htmlUrl, nightsOfLongest: longest, ...found };
  }
  await tracker.update(existing.number, { body });
  return { action: 'updated', number: existing.number, url: existing.htmlUrl, nightsOfLongest: longest, ...found };
}

/** The follow-ups of a closed issue's state: their streaks go on while the issue is closed. */
function followUpsOf(previous: FailureIssueState | undefined): FailureIssueState | undefined {
  return previous && { ...previous, failures: previous.failures.filter(isFollowUp) };
}
