import { runBundle } from '../support/run-action.js';
import { manifest, sampleInputs, startSampleStream, type LocalParts } from '../support/sample-stream.js';
import { makeTgz } from '../support/tar.js';
import { aliasBombManifest } from '../support/alias-bomb.js';

/** Nine levels of nine aliases, indented to sit under `values:` of a manifest entry. */

describe('the built action against hostile content (real git, helm, chart repository, emulator)', () => {
  let parts: LocalParts;
  afterEach(async () => {
    await parts?.stop();
  });

  it('keeps 5,000 missing chart versions to 9 error annotations and one that counts the rest; the summary lists them', async () => {
    parts = await startSampleStream({
      branches: (branches, chartUrl) => {
        const missing = Array.from({ length: 5000 }, (_, i) => ({
          name: 'cray-hms-bss',
          releaseName: `cray-hms-bss-${i}`,
          source: 'csm-algol60',
          version: `9.${i}.0`,
          namespace: 'services'
        }));
        branches['release/1.6'] = { ...branches['release/1.6'], 'manifests/missing.yaml': manifest('missing', chartUrl, missing) };
      }
    });
    const run = await runBundle('dist/index.js', parts.actionEnv(sampleInputs(parts, { 'dry-run': 'true' })));
    expect(run.code).toBe(1);
    const errors = run.annotations.filter((a) => a.kind === 'error');
    const warnings = run.annotations.filter((a) => a.kind === 'warning');
    expect(errors.length).toBeLessThanOrEqual(10);
    expect(warnings.length).toBeLessThanOrEqual(10);
    const folded = errors.find((a) => a.message.startsWith('and '));
    expect(folded?.message).toMatch(
      /^and 4,99\d more errors \(4,99\d × Chart releases that could not be downloaded or rendered\): see the job summary/
    );
    // the log holds one line per problem
    expect(run.stdout.match(/no such chart version/g)?.length).toBeGreaterThanOrEqual(5000);
    // the summary lists them grouped, in a folded block, within GitHub's 1 MiB
    expect(run.summary).toMatch(/<details><summary>Problems: 5,00\d errors/);
    expect(run.summary).toMatch(/\(5,000\)\n\n- /);
    expect(run.summary).toContain('… and 4,900 more (in the log)');
    expect(run.summary.length).toBeLessThan(1024 * 1024);
    expect(parts.github.dispatches).toEqual([]);
  }, 240_000);

  it('refuses a manifest whose values are an alias bomb as one error naming the file and branch; the rest is planned', async () => {
    parts = await startSampleStream({
      branches: (branches, chartUrl) => {
        const text = aliasBombManifest(chartUrl);
        branches['release/1.6'] = { ...branches['release/1.6'], 'manifests/bomb.yaml': text };
      }
    });
    const run = await runBundle('dist/index.js', parts.actionEnv(sampleInputs(parts, { 'dry-run': 'true' })), 120_000);
    const bomb = run.annotations.filter((a) => a.message.includes('alias bomb'));
    expect(bomb.map((a) => a.message)).toEqual([
      'branch release/1.6, manifests/bomb.yaml: manifests/bomb.yaml has more than 500,000 YAML nodes once its aliases are expanded (an alias bomb?): not read'
    ]);
    // the other manifests of the branch are planned as ever
    expect(run.summary).toContain('## Rebuild plan for Cray-HPE/csm');
    expect(run.summary).toMatch(/13 builds of 14 images in 6 repos/);
    expect(run.outputs.plan).toBeDefined();
  }, 120_000);

  it('stops a template at the output bound and helm at its memory bound, naming each chart; the report is written', async () => {
    const loudChart = (name: string, lines: number): Buffer =>
      makeTgz([
        {
          name: `${name}/Chart.yaml`,
          data: `apiVersion: v2\nname: ${name}\nversion: 1.0.0\nsources: [https://github.com/Cray-HPE/hms-loud]\n`
        },
        { name: `${name}/values.yaml`, data: `lines: ${lines}\n` },
        {
          name: `${name}/templates/loud.yaml`,
          data: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: loud}\ndata:\n{{- range $i := until (int .Values.lines) }}\n  k{{ $i }}: all work and no play makes jack\n{{- end }}\n'
        }
      ]);
    parts = await startSampleStream({
      branches: (branches, chartUrl) => {
        branches['release/1.6'] = {
          ...branches['release/1.6'],
          'manifests/loud.yaml': manifest('loud', chartUrl, [
            { name: 'cray-hms-loud', source: 'csm-algol60', version: '1.0.0', namespace: 'services' },
            { name: 'cray-hms-hog', source: 'csm-algol60', version: '1.0.0', namespace: 'services' }
          ])
        };
      },
      config: (config) => {
        (config['helm-repo-lookup'] as unknown[]).push(
          { chart: 'cray-hms-loud', path: 'stable/cray-hms-loud' },
          { chart: 'cray-hms-hog', path: 'stable/cray-hms-hog' }
        );
        (config.configuration as Record<string, unknown>).limits = { 'helm-output-megabytes': 8 };
      }
    });
    // about 16 MB of output; and a template that needs gigabytes before it prints anything
    parts.charts.put('artifactory/csm-helm-charts/stable/cray-hms-loud/cray-hms-loud-1.0.0.tgz', loudChart('cray-hms-loud', 400_000));
    parts.charts.put('artifactory/csm-helm-charts/stable/cray-hms-hog/cray-hms-hog-1.0.0.tgz', loudChart('cray-hms-hog', 8_000_000));
    const run = await runBundle('dist/index.js', parts.actionEnv(sampleInputs(parts, { 'dry-run': 'true' })), 180_000);
    const about = (chart: string) => run.annotations.filter((a) => a.message.includes(chart)).map((a) => a.message);
    expect(about('cray-hms-loud')).toEqual([
      expect.stringMatching(
        /chart cray-hms-loud 1\.0\.0: helm template printed more than 8 MB \(configuration\.limits\.helm-output-megabytes\): stopped$/
      )
    ]);
    expect(about('cray-hms-hog')).toEqual([
      expect.stringMatching(
        /chart cray-hms-hog 1\.0\.0: helm template ran out of its memory bound \(2048 MB, configuration\.limits\.helm-memory-megabytes\)$/
      )
    ]);
    expect(run.summary).toContain('## Rebuild plan for Cray-HPE/csm');
    expect(run.code).toBe(1);
  }, 180_000);

  it('says a 20 MB workflow file at a tag is too large, not missing; the other builds are planned', async () => {
    parts = await startSampleStream();
    const bss = parts.github.repo('hms-bss');
    const path = '.github/workflows/build_and_release_image.yaml';
    if (bss) bss.files['v1.28.0'] = { [path]: `${bss.files['*']?.[path] ?? ''}\n# ${'x'.repeat(20 * 1024 * 1024)}\n` };
    const run = await runBundle('dist/index.js', parts.actionEnv(sampleInputs(parts, { 'dry-run': 'true' })), 120_000);
    const about = run.annotations
      .filter((a) => a.message.includes('hms-bss') && a.message.includes('v1.28.0') && !/^\d+ images? needs? a person/.test(a.message))
      .map((a) => a.message);
    expect(about).toEqual([
      expect.stringContaining(
        `workflow ${path} at this tag cannot be read: ${path} is too large to read: more than the 1 MB a workflow file may be`
      )
    ]);
    expect(about.join('\n')).not.toContain('does not exist');
    expect(run.summary).toMatch(/12 builds of/);
  }, 120_000);

  it('stops rendering at the render cap, names what it skipped, and does not dispatch the partial plan', async () => {
    parts = await startSampleStream({
      config: (config) => {
        (config.configuration as Record<string, unknown>).limits = { 'chart-renders': 2 };
      }
    });
    const run = await runBundle('dist/index.js', parts.actionEnv(sampleInputs(parts)), 120_000);
    const messages = run.annotations.map((a) => a.message);
    expect(
      messages.filter((m) => m.includes("not rendered: the run's 2 chart renders are spent (configuration.limits.chart-renders)")).length
    ).toBeGreaterThan(0);
    expect(messages).toContainEqual(expect.stringMatching(/^the plan is partial: the run's 2 chart renders are spent/));
    expect(messages).toContainEqual(expect.stringMatching(/^nothing was dispatched: the plan is partial/));
    expect(parts.github.dispatches).toEqual([]);
    expect(run.summary).toContain('## Rebuild plan for Cray-HPE/csm');
    expect(run.code).toBe(1);
  }, 120_000);

  it('stops rendering once planning passes its deadline, and reports the plan as partial', async () => {
    parts = await startSampleStream({
      config: (config) => {
        // a deadline that has passed by the time the first chart is downloaded
        (config.configuration as Record<string, unknown>).limits = { 'planning-minutes': 0.0001 };
      }
    });
    const run = await runBundle('dist/index.js', parts.actionEnv(sampleInputs(parts, { 'dry-run': 'true' })), 120_000);
    const messages = run.annotations.map((a) => a.message);
    expect(messages).toContainEqual(
      expect.stringMatching(/not rendered: planning passed its deadline \(configuration\.limits\.planning-minutes\)$/)
    );
    expect(messages).toContainEqual(expect.stringMatching(/^the plan is partial: planning passed its deadline/));
    // nothing is looked up on GitHub after the deadline: each image says so in the plan
    expect(run.summary).toContain('## Rebuild plan for Cray-HPE/csm');
    expect(run.summary).toContain('no build: not looked up: planning passed its deadline');
    expect(run.code).toBe(1);
  }, 120_000);
});
