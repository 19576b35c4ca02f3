import { parseYaml } from '../../src/yaml.js';

/**
 * The main audits of zizmor (which is on neither npm nor Debian), over one workflow file: what it
 * finds, one line each; empty when the workflow passes.
 */

/** The current major of each action the workflows use: node24 majors, read from each action's tags. */
export const CURRENT_MAJORS: Record<string, number> = {
  'actions/checkout': 7,
  'actions/setup-node': 7,
  'actions/upload-artifact': 7,
  'actions/download-artifact': 8,
  'github/codeql-action': 4,
  // this action, as the README's examples use it
  'Cray-HPE/hms-build-workflow-dispatcher': 1
};

/** Steps that run this action: the only ones that need its secrets. */
const THIS_ACTION = /^(\.\/|Cray-HPE\/hms-build-workflow-dispatcher@)/;

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  permissions?: unknown;
  env?: Record<string, unknown>;
  steps?: Step[];
  uses?: string;
}
interface Workflow {
  on?: unknown;
  env?: Record<string, unknown>;
  jobs?: Record<string, Job>;
}

const UNTRUSTED_IN_RUN = /\$\{\{[^}]*\b(github\.event\.|inputs\.|github\.head_ref\b)/;
const SECRET = /\$\{\{[^}]*\bsecrets\./;
const PINNED = /^([\w.-]+\/[\w.-]+)(?:\/[\w./-]+)?@([0-9a-f]{40})\s+#\s*v(\d+)(?:\.\d+){0,2}\s*$/;
const ON_MAJOR = /^([\w.-]+\/[\w.-]+)(?:\/[\w./-]+)?@v(\d+)(?:\s+#.*)?$/;

/** `uses:` lines, read from the text since the comment that names a SHA's version is not in the YAML tree. */
function auditUses(text: string): string[] {
  const findings: string[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    const m = line.match(/^\s*(?:-\s+)?uses:\s*(.+?)\s*$/);
    if (!m?.[1] || m[1].startsWith('./')) continue;
    const value = m[1].replace(/^['"]|['"]$/g, '');
    const pinned = value.match(PINNED);
    const onMajor = value.match(ON_MAJOR);
    const action = pinned?.[1] ?? onMajor?.[1];
    const major = Number(pinned?.[3] ?? onMajor?.[2]);
    const where = `line ${index + 1}: uses: ${value}`;
    if (!action) findings.push(`${where}: neither pinned by full SHA with its version in a comment, nor on a major tag`);
    else if (CURRENT_MAJORS[action] === undefined)
      findings.push(`${where}: ${action} has no known current major (add it to CURRENT_MAJORS)`);
    else if (major !== CURRENT_MAJORS[action])
      findings.push(`${where}: ${action} is on v${major}, its current major is v${CURRENT_MAJORS[action]}`);
  }
  return findings;
}

export function auditWorkflow(text: string, file: string): string[] {
  const workflow = parseYaml(text, file) as Workflow;
  const findings = auditUses(text);
  const on = workflow.on;
  const triggers = typeof on === 'string' ? [on] : Array.isArray(on) ? (on as string[]) : Object.keys((on as object | undefined) ?? {});
  if (triggers.includes('pull_request_target')) findings.push('on: pull_request_target runs untrusted code with secrets');
  if (workflow.env && SECRET.test(JSON.stringify(workflow.env))) findings.push('env: secrets at the workflow level reach every step');
  for (const [name, job] of Object.entries(workflow.jobs ?? {})) {
    if (job.permissions === undefined) findings.push(`job ${name}: no explicit permissions`);
    if (job.env && SECRET.test(JSON.stringify(job.env))) findings.push(`job ${name}: env: secrets at the job level reach every step`);
    for (const [index, step] of (job.steps ?? []).entries()) {
      const where = `job ${name}, step ${step.id ?? step.name ?? index + 1}`;
      if (step.uses?.startsWith('actions/checkout@') && step.with?.['persist-credentials'] !== false)
        findings.push(`${where}: checkout without persist-credentials: false leaves the token in .git/config`);
      if (step.run !== undefined && UNTRUSTED_IN_RUN.test(step.run))
        findings.push(`${where}: run: interpolates untrusted input (github.event.*, inputs.*, head_ref); pass it through env:`);
      if (step.run !== undefined && SECRET.test(step.run)) findings.push(`${where}: run: interpolates a secret; pass it through env:`);
      const secretsGiven = SECRET.test(JSON.stringify({ with: step.with ?? {}, env: step.env ?? {} }));
      if (secretsGiven && !THIS_ACTION.test(step.uses ?? '')) findings.push(`${where}: secrets reach a step that is not this action`);
    }
  }
  return findings;
}
