import { readBoundedFile } from '../bounded-file.js';
import { Ajv, type ErrorObject } from 'ajv';
import schema from './plan.schema.json' with { type: 'json' };
import { errorMessage } from '../errors.js';
import { formatDuration } from '../duration.js';
import { PLAN_VERSION, type Plan } from './plan.js';

/** A plan older than this is refused by `from-plan`: tags and workflows may have moved since (documented in the README). */
export const PLAN_MAX_AGE_MS = 72 * 3600_000;

/** A plan made on another runner may be this much ahead of this one's clock. */
const PLAN_CLOCK_SKEW_MS = 5 * 60_000;

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile<Plan>(schema);

function describe(error: ErrorObject): string {
  const at = error.instancePath || '(top level)';
  if (error.keyword === 'additionalProperties') return `${at}: unknown key "${String(error.params.additionalProperty)}"`;
  if (error.keyword === 'required') return `${at}: missing key "${String(error.params.missingProperty)}"`;
  return `${at}: ${error.message ?? 'is invalid'}`;
}

/** Check a plan document; the errors name the JSON path (at most five of them). */
export function checkPlan(document: unknown): { ok: true; plan: Plan } | { ok: false; errors: string[] } {
  if (typeof document === 'object' && document !== null && 'version' in document && document.version !== PLAN_VERSION)
    return {
      ok: false,
      errors: [`version ${JSON.stringify(document.version)} is not a plan version this dispatcher reads (${PLAN_VERSION})`]
    };
  if (validate(document)) {
    const plan = document;
    // every build names images of its own repo that are resolved
    const errors: string[] = [];
    for (const [r, repo] of plan.repos.entries()) {
      const resolved = new Set(repo.images.filter((i) => i.state === 'resolved').map((i) => i.fullImage));
      for (const [b, build] of repo.builds.entries()) {
        if (build.githubRepo !== repo.githubRepo)
          errors.push(`/repos/${r}/builds/${b}: belongs to ${build.githubRepo}, not ${repo.githubRepo}`);
        for (const image of build.images)
          if (!resolved.has(image)) errors.push(`/repos/${r}/builds/${b}: builds ${image}, which is not a resolved image of the repo`);
      }
    }
    return errors.length === 0 ? { ok: true, plan } : { ok: false, errors: errors.slice(0, 5) };
  }
  return { ok: false, errors: (validate.errors ?? []).slice(0, 5).map(describe) };
}

/**
 * Read a plan written by an earlier run (`from-plan`): it must pass the schema, be of the
 * configuration's org and product stream, and be younger than `PLAN_MAX_AGE_MS`. Any failure is one
 * error naming the file, before anything is dispatched.
 */
export async function readPlanFile(
  file: string,
  expected: { org: string; productStreamRepo: string },
  now: number,
  maxBytes: number
): Promise<Plan> {
  let text: string;
  try {
    text = await readBoundedFile(file, maxBytes, 'from-plan');
  } catch (error) {
    const message = errorMessage(error);
    throw new Error(
      message.startsWith('from-plan') ? `${message} (configuration.limits.plan-megabytes)` : `from-plan: cannot read ${file}: ${message}`,
      {
        cause: error
      }
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new Error(`from-plan: ${file} is not JSON: ${errorMessage(error)}`, { cause: error });
  }
  const checked = checkPlan(document);
  if (!checked.ok) throw new Error(`from-plan: ${file} is not a plan of this dispatcher: ${checked.errors.join('; ')}`);
  const { plan } = checked;
  if (plan.org !== expected.org || plan.productStreamRepo !== expected.productStreamRepo)
    throw new Error(
      `from-plan: ${file} plans ${plan.org}/${plan.productStreamRepo}, but the configuration is for ${expected.org}/${expected.productStreamRepo}`
    );
  const age = now - Date.parse(plan.createdAt);
  if (age < -PLAN_CLOCK_SKEW_MS)
    throw new Error(
      `from-plan: ${file} says it was made ${plan.createdAt.slice(0, 40)}, in the future: refused (a plan is made before it is dispatched)`
    );
  if (!(age <= PLAN_MAX_AGE_MS))
    throw new Error(
      `from-plan: ${file} was made ${plan.createdAt}, ${formatDuration(Math.max(0, age))} ago; plans older than ${formatDuration(PLAN_MAX_AGE_MS)} ` +
        'are refused (tags and workflows may have moved): make a new one with a dry run'
    );
  if (plan.shard)
    throw new Error(
      `from-plan: ${file} is shard ${plan.shard.index}/${plan.shard.count} of a plan; give the whole plan, and shard it with the shard input`
    );
  return plan;
}
