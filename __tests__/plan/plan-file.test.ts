import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Plan } from '../../src/plan/plan.js';
import { checkPlan, PLAN_MAX_AGE_MS, readPlanFile } from '../../src/plan/plan-file.js';

const createdAt = '2026-11-26T06:00:00.000Z';
const plan: Plan = {
  version: 3,
  createdAt,
  org: 'Cray-HPE',
  productStreamRepo: 'csm',
  branches: [{ branch: 'release/1.6', commit: 'c'.repeat(40), images: 1 }],
  repos: [
    {
      githubRepo: 'hms-smd',
      images: [
        {
          githubRepo: 'hms-smd',
          fullImage: 'reg/cray-smd:2.24.0',
          repository: 'reg/cray-smd',
          name: 'cray-smd',
          tag: '2.24.0',
          gitTag: 'v2.24.0',
          commit: 'a'.repeat(40),
          branches: ['release/1.6'],
          sources: [{ kind: 'docker-index', branch: 'release/1.6', file: 'docker/index.yaml' }],
          state: 'resolved'
        }
      ],
      builds: [
        {
          githubRepo: 'hms-smd',
          gitTag: 'v2.24.0',
          commit: 'a'.repeat(40),
          workflow: { id: 3, name: 'Build', path: '.github/workflows/build.yaml' },
          chosenBy: 'image-name',
          images: ['reg/cray-smd:2.24.0']
        }
      ]
    }
  ]
};

describe('the plan file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'plan-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const write = (value: unknown): string => {
    const file = join(dir, 'plan.json');
    writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
    return file;
  };
  const expected = { org: 'Cray-HPE', productStreamRepo: 'csm' };
  const PLAN_BYTES = 32 * 1024 * 1024;
  const now = Date.parse(createdAt) + 3600_000;

  it('reads a plan that passes the schema, is of the configured stream and is young enough', async () => {
    await expect(readPlanFile(write(plan), expected, now, PLAN_BYTES)).resolves.toEqual(plan);
  });

  it('refuses, with the file and the JSON path named, what the schema does not allow', async () => {
    const file = write({ ...plan, repos: [{ ...plan.repos[0], builds: [{ ...plan.repos[0]?.builds[0], workflow: { id: 'x' } }] }] });
    await expect(readPlanFile(file, expected, now, PLAN_BYTES)).rejects.toThrow(
      `from-plan: ${file} is not a plan of this dispatcher: /repos/0/builds/0/workflow: missing key "name"`
    );
    expect(checkPlan({ ...plan, version: 1 })).toEqual({
      ok: false,
      errors: ['version 1 is not a plan version this dispatcher reads (3)']
    });
    const orphan = { ...plan, repos: [{ ...plan.repos[0], images: [] }] };
    expect(checkPlan(orphan)).toEqual({
      ok: false,
      errors: ['/repos/0/builds/0: builds reg/cray-smd:2.24.0, which is not a resolved image of the repo']
    });
    await expect(readPlanFile(write('{"version":'), expected, now, PLAN_BYTES)).rejects.toThrow(/is not JSON/);
    await expect(readPlanFile(join(dir, 'missing.json'), expected, now, PLAN_BYTES)).rejects.toThrow(
      /from-plan: cannot read .*missing\.json/
    );
  });

  it('refuses a plan of another org or product stream, an old plan, and a shard', async () => {
    await expect(readPlanFile(write(plan), { org: 'Cray-HPE', productStreamRepo: 'spc' }, now, PLAN_BYTES)).rejects.toThrow(
      'plans Cray-HPE/csm, but the configuration is for Cray-HPE/spc'
    );
    await expect(readPlanFile(write(plan), expected, Date.parse(createdAt) + PLAN_MAX_AGE_MS + 60_000, PLAN_BYTES)).rejects.toThrow(
      /was made 2026-11-26T06:00:00.000Z, 72 h 1 min ago; plans older than 72 h 0 min are refused/
    );
    await expect(readPlanFile(write({ ...plan, shard: { index: 1, count: 2 } }), expected, now, PLAN_BYTES)).rejects.toThrow(
      /is shard 1\/2 of a plan; give the whole plan/
    );
    // hostile round 2: a plan made in the future, a plan past its size bound, a FIFO
    await expect(readPlanFile(write(plan), expected, Date.parse(createdAt) - 3600_000, PLAN_BYTES)).rejects.toThrow(
      /says it was made 2026-11-26T06:00:00.000Z, in the future: refused/
    );
    await expect(readPlanFile(write(plan), expected, now, 100)).rejects.toThrow(
      /from-plan: .* is 0\.0 MB, more than the 0 MB it may be \(configuration\.limits\.plan-megabytes\)/
    );
    const fifo = join(dir, 'fifo.json');
    execFileSync('mkfifo', [fifo]);
    await expect(readPlanFile(fifo, expected, now, PLAN_BYTES)).rejects.toThrow(/is not a regular file/);
  });
});
