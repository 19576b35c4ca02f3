import pLimit from 'p-limit';
import { errorMessage, rethrowIfFatal } from '../errors.js';
import type { PlanningApi, TagSnapshot } from '../plan/planning-api.js';
import type { Connection } from './client.js';
import { batchTags, readTagSnapshots, type GraphqlPoints } from './tag-snapshots.js';
import { listTags, resolveTag } from './tags.js';
import { listWorkflows, readFileAtRef } from './workflows.js';

/** GraphQL tag queries in flight at once (GitHub allows 100 concurrent requests; each query costs about one point of 5,000 an hour). */
export const GRAPHQL_CONCURRENCY = 4;
/** Below this many points left, the queries go one at a time so the last ones are not refused together. */
const LOW_POINTS = 100;

/** Planning's GitHub reads, made with the run's clients. */
export function githubPlanningApi(connection: Connection, org: string, log: { debug(message: string): void }): PlanningApi {
  const { octokit } = connection;
  return {
    listTags: (repo) => listTags(octokit, org, repo),
    resolveTag: (repo, tag) => resolveTag(octokit, org, repo, tag),
    listWorkflows: (repo) => listWorkflows(octokit, org, repo),
    readFile: (repo, path, ref) => readFileAtRef(octokit, org, repo, path, ref),
    readTagSnapshots: (pairs) => readAllTagSnapshots(connection, org, pairs, log)
  };
}

/**
 * Every (repo, tag) pair in batches of 50, up to four queries at once. Each answer says the points
 * left this hour (its `rateLimit` field); when few are left the rest go one at a time, and a query
 * GitHub refuses for its rate limit is waited out by the throttling plugin. A batch that fails is
 * left out of the answer: planning looks those tags up with REST.
 */
async function readAllTagSnapshots(
  connection: Connection,
  org: string,
  pairs: readonly { repo: string; tag: string }[],
  log: { debug(message: string): void }
): Promise<TagSnapshot[]> {
  let points: GraphqlPoints | undefined;
  const wide = pLimit(GRAPHQL_CONCURRENCY);
  const narrow = pLimit(1);
  const batches = await Promise.all(
    batchTags(pairs).map((batch) =>
      wide(() =>
        (points && points.remaining < LOW_POINTS ? narrow : (work: () => Promise<TagSnapshot[]>) => work())(async () => {
          try {
            const answer = await readTagSnapshots(connection.graphqlReads, org, batch);
            if (answer.points) {
              points = answer.points;
              log.debug(`GraphQL: ${batch.length} tags cost ${points.cost} points; ${points.remaining} left until ${points.resetAt}`);
            }
            return answer.snapshots;
          } catch (error) {
            rethrowIfFatal(error);
            log.debug(`GraphQL tag lookup failed (${errorMessage(error)}); looking those tags up with REST`);
            return [];
          }
        })
      )
    )
  );
  return batches.flat();
}
