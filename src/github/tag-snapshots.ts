import type { GraphqlRead } from './client.js';
import { MAX_WORKFLOW_FILE_BYTES, type TagSnapshot } from '../plan/planning-api.js';

export const WORKFLOWS_DIR = '.github/workflows';
/** The Dockerfile most workflows build: read with the tag, so deciding a rebuild costs no request per tag. */
export const DOCKERFILE = 'Dockerfile';
/** Tags per GraphQL query: few queries, each answer well under GitHub's limits (node counts, 10 s of server time). */
export const TAGS_PER_QUERY = 50;

/** What a query cost and what is left of the hour's GraphQL points, as the query's `rateLimit` field says. */
export interface GraphqlPoints {
  cost: number;
  remaining: number;
  resetAt: string;
}

interface GitObjectAnswer {
  __typename?: string;
  oid?: string;
  target?: { oid?: string };
}
interface TreeAnswer {
  entries?: { name: string; type: string; object?: { text?: string | null; byteSize?: number } | null }[] | null;
}

/** Split (repo, tag) pairs into batches of at most `size` tags. */
export function batchTags(pairs: readonly { repo: string; tag: string }[], size = TAGS_PER_QUERY): { repo: string; tag: string }[][] {
  const batches: { repo: string; tag: string }[][] = [];
  for (let i = 0; i < pairs.length; i += size) batches.push(pairs.slice(i, i + size));
  return batches;
}

/** The GraphQL query and variables reading, for each (repo, tag), the tag's commit, the workflow files at it and its release. */
export function tagSnapshotQuery(
  owner: string,
  batch: readonly { repo: string; tag: string }[]
): { query: string; variables: Record<string, string> } {
  const variables: Record<string, string> = { owner };
  const declarations = ['$owner: String!'];
  const repos = [...new Set(batch.map((p) => p.repo))];
  const blocks = repos.map((repo, j) => {
    variables[`n${j}`] = repo;
    declarations.push(`$n${j}: String!`);
    const fields = batch.flatMap((pair, i) => {
      if (pair.repo !== repo) return [];
      variables[`r${i}`] = `refs/tags/${pair.tag}`;
      variables[`e${i}`] = `${pair.tag}:${WORKFLOWS_DIR}`;
      variables[`g${i}`] = pair.tag;
      variables[`f${i}`] = `${pair.tag}:${DOCKERFILE}`;
      declarations.push(`$r${i}: String!`, `$e${i}: String!`, `$g${i}: String!`, `$f${i}: String!`);
      return [
        `t${i}: ref(qualifiedName: $r${i}) { target { __typename oid ... on Tag { target { oid } } } }`,
        `w${i}: object(expression: $e${i}) { ... on Tree { entries { name type object { ... on Blob { byteSize text } } } } }`,
        `l${i}: release(tagName: $g${i}) { url }`,
        `d${i}: object(expression: $f${i}) { ... on Blob { byteSize text } }`
      ];
    });
    return `p${j}: repository(owner: $owner, name: $n${j}) { ${fields.join(' ')} }`;
  });
  return { query: `query(${declarations.join(', ')}) { rateLimit { cost remaining resetAt } ${blocks.join(' ')} }`, variables };
}

/** Read a GraphQL answer to `tagSnapshotQuery`. */
export function readTagSnapshotAnswer(batch: readonly { repo: string; tag: string }[], answer: Record<string, unknown>): TagSnapshot[] {
  const repos = [...new Set(batch.map((p) => p.repo))];
  return batch.map((pair, i) => {
    const repository = answer[`p${repos.indexOf(pair.repo)}`] as Record<string, unknown> | null | undefined;
    const target = (repository?.[`t${i}`] as { target?: GitObjectAnswer } | null | undefined)?.target;
    const commit = target ? (target.__typename === 'Tag' ? target.target?.oid : target.oid) : undefined;
    const tree = repository?.[`w${i}`] as TreeAnswer | null | undefined;
    // only a tree that came back is known; a tag whose folder did not come back is read later with REST
    let workflowFiles: Map<string, string> | undefined;
    // a folder with a file past the bound is left to REST, which says the file is too large
    const oversized = tree?.entries?.some((e) => (e.object?.byteSize ?? 0) > MAX_WORKFLOW_FILE_BYTES) ?? false;
    if (commit && Array.isArray(tree?.entries) && !oversized) {
      workflowFiles = new Map();
      for (const entry of tree.entries) {
        if (entry.type === 'blob' && typeof entry.object?.text === 'string')
          workflowFiles.set(`${WORKFLOWS_DIR}/${entry.name}`, entry.object.text);
      }
    }
    const release = repository?.[`l${i}`] as { url?: string } | null | undefined;
    const dockerfile = repository?.[`d${i}`] as { text?: string | null; byteSize?: number } | null | undefined;
    return {
      repo: pair.repo,
      tag: pair.tag,
      commit,
      workflowFiles,
      releaseUrl: commit ? release?.url : undefined,
      // null: the tag has no Dockerfile; undefined: not answered (too large, or no GraphQL), read later with REST
      dockerfile: !commit
        ? undefined
        : dockerfile === null
          ? null
          : typeof dockerfile?.text === 'string' && (dockerfile.byteSize ?? 0) <= MAX_WORKFLOW_FILE_BYTES
            ? dockerfile.text
            : undefined
    };
  });
}

/**
 * One GraphQL request per 50 tags, whatever the repos, answers both the ref lookup of each planned
 * tag (its commit, through an annotated tag object when there is one) and the workflow files at
 * that tag. With REST that is one ref lookup per tag plus one contents read per workflow file.
 */
export async function readTagSnapshots(
  graphql: GraphqlRead,
  owner: string,
  batch: readonly { repo: string; tag: string }[]
): Promise<{ snapshots: TagSnapshot[]; points: GraphqlPoints | undefined }> {
  const { query, variables } = tagSnapshotQuery(owner, batch);
  const answer = await graphql<Record<string, unknown>>(query, variables);
  return { snapshots: readTagSnapshotAnswer(batch, answer), points: (answer.rateLimit as GraphqlPoints | null | undefined) ?? undefined };
}
