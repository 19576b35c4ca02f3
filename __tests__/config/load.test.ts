import * as yaml from 'js-yaml';
import { describeYamlError } from '../../src/yaml.js';
import { join } from 'node:path';
import { loadConfiguration, parseConfiguration, toYamlPath } from '../../src/config/load.js';
import { compileAnchored, MAX_MATCHED_NAME } from '../../src/config/configuration.js';
import { ROOT } from '../support/run-action.js';
import { hasRealWorld, REAL_WORLD } from '../support/shared.js';

const minimal = (settings: string): string => `configuration:\n  product-stream-repo: csm\n${settings}`;

describe('configuration', () => {
  it("loads the project's own configuration.yaml with defaults filled in", async () => {
    const result = await loadConfiguration(join(ROOT, 'configuration.yaml'));
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.warnings).toEqual([]);
    expect(result.config.configuration['product-stream-repo']).toBe('csm');
    expect(result.config['helm-repo-lookup']).toContainEqual({ chart: 'cray-hms-hmcollector', path: 'stable/hms-hmcollector' });
    expect(result.config.configuration['attach-to-running-builds']).toBe(true);
  });

  it('fills defaults for a minimal file', () => {
    const result = parseConfiguration(minimal(''), 'c.yaml');
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.config.configuration['docker-image-manifest']).toBe('docker/index.yaml');
    expect(result.config.configuration['helm-manifest-directory']).toBe('manifests');
    expect(result.config['docker-image-compare']).toEqual({});
    expect(result.config.configuration['max-parallel']).toBe(10);
  });

  it('names the file and YAML path of every problem, one line each', () => {
    const text = `helm-repo-lookup:
  - chart: cray-hms-bss
configuration:
  product-stream-repo: csm
  targeted-branches: [main, release/1.6, 3]
  sleep-duration-seconds: soon
  log-level: LOUD
  colour: blue
`;
    const result = parseConfiguration(text, 'conf.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual(
      expect.arrayContaining([
        'conf.yaml: configuration.targeted-branches[2]: must be string',
        'conf.yaml: helm-repo-lookup[0]: missing required key "path"',
        'conf.yaml: configuration.sleep-duration-seconds: must be number',
        'conf.yaml: configuration.log-level: must be one of DEBUG, INFO, WARNING, WARN, ERROR, CRITICAL',
        'conf.yaml: configuration: unknown key "colour"'
      ])
    );
    expect(result.errors).toHaveLength(5);
  });

  it('suggests the nearest key for a misspelt one, and wants exactly one of image and base in an acknowledgement', () => {
    const text = `configuration:
  product-stream-repo: csm
  targetted-branches: [release/1.6]
acknowledged:
  - base: alpine:3.15
    reason: moving to 3.22 in CASMHMS-1
    until: 2027-03-01
  - image: a:1.0.0
    base: alpine:3.15
    reason: both
    until: 2027-03-01
`;
    const result = parseConfiguration(text, 'conf.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      'conf.yaml: acknowledged[1]: give exactly one of "image" (a gap: an image a release ships) and "base" (a base image no longer republished)',
      'conf.yaml: configuration: unknown key "targetted-branches": did you mean "targeted-branches"?'
    ]);
  });

  it('rejects an invalid regular expression with its path', () => {
    const result = parseConfiguration(minimal('  targeted-branch-regexes: ["release/(1"]\n'), 'c.yaml');
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors[0]).toMatch(
        /^c\.yaml: configuration\.targeted-branch-regexes\[0\]: "release\/\(1" is not a regular expression RE2 can run/
      );
  });

  it('runs its patterns with RE2: linear time on a hostile name, Python re.match anchoring, no lookaround', () => {
    const runaway = compileAnchored('^(a+)+$');
    // a backtracking engine takes 2^40 steps here (the test would time out); RE2 is linear
    expect(runaway.test(`${'a'.repeat(40)}b`)).toBe(false);
    expect(compileAnchored('release/1\\.[0-9]').test('release/1.6-rc')).toBe(true);
    expect(compileAnchored('1\\.[0-9]').test('release/1.6')).toBe(false);
    // names past the bound match nothing
    expect(compileAnchored('a*').test('a'.repeat(MAX_MATCHED_NAME + 1))).toBe(false);
    const lookahead = parseConfiguration('configuration:\n  product-stream-repo: csm\n  target-chart-regex: "cray-(?!test)"\n', 'c.yaml');
    expect(lookahead.ok ? [] : lookahead.errors).toEqual([
      expect.stringMatching(/^c\.yaml: configuration\.target-chart-regex: "cray-\(\?!test\)" is not a regular expression RE2 can run/)
    ]);
  });

  it('reports YAML syntax errors and files that are not mappings', async () => {
    const bad = parseConfiguration('configuration: [\n', 'broken.yaml');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors[0]).toMatch(/^broken\.yaml: not valid YAML/);
    const list = parseConfiguration('- a\n- b\n', 'list.yaml');
    if (!list.ok) expect(list.errors[0]).toMatch(/must be a mapping/);
    const missing = await loadConfiguration('/nonexistent/configuration.yaml');
    if (!missing.ok) expect(missing.errors[0]).toBe('/nonexistent/configuration.yaml: cannot read the configuration file (ENOENT)');
    expect(missing.ok).toBe(false);
  });

  it('rejects a docker-image-compare leaf without find_me', () => {
    const result = parseConfiguration(`docker-image-compare:\n  reg:\n    images:\n      x: [something]\n${minimal('')}`, 'c.yaml');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.join('\n')).toContain('docker-image-compare.reg.images.x');
  });

  it('turns JSON pointers into YAML paths', () => {
    expect(toYamlPath('/configuration/targeted-branches/2')).toBe('configuration.targeted-branches[2]');
    expect(toYamlPath('/docker-image-compare/artifactory.algol60.net~1csm-docker~1stable/images')).toBe(
      'docker-image-compare["artifactory.algol60.net/csm-docker/stable"].images'
    );
    expect(toYamlPath('')).toBe('(top level)');
  });

  it('accepts the old key names with a warning naming the new key', () => {
    const text = `repo-image-lookup:\n  - repo: hms-shcd-parser\n    image: hms-shcd-parser\nconfiguration:\n  manifest-repo: csm\n  targeted-csm-branches: [main]\n`;
    const result = parseConfiguration(text, 'old.yaml');
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.config['github-repo-image-lookup']).toEqual([{ 'github-repo': 'hms-shcd-parser', image: 'hms-shcd-parser' }]);
    expect(result.config.configuration['product-stream-repo']).toBe('csm');
    expect(result.config.configuration['targeted-branches']).toEqual(['main']);
    expect(result.warnings).toEqual([
      'old.yaml: repo-image-lookup: old key name, rename it to "github-repo-image-lookup"',
      'old.yaml: configuration.manifest-repo: old key name, rename it to "product-stream-repo"',
      'old.yaml: configuration.targeted-csm-branches: old key name, rename it to "targeted-branches"'
    ]);
  });
});

(hasRealWorld ? describe : describe.skip)('real configurations of the original tool', () => {
  it('loads configuration_csm.yaml unchanged', async () => {
    const result = await loadConfiguration(join(REAL_WORLD, 'configs', 'configuration_csm.yaml'));
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.warnings).toEqual([]);
    expect(result.config.configuration['targeted-branches']).toHaveLength(11);
    expect(result.config['non-manifest-images'].map((e) => e['github-repo'])).toEqual(['hms-test', 'hms-build-environment']);
    expect(Object.keys(result.config['docker-image-compare'])).toEqual(['artifactory.algol60.net/csm-docker/stable']);
  });

  it('loads configuration_spc.yaml with its source_override and branch regexes', async () => {
    const result = await loadConfiguration(join(REAL_WORLD, 'configs', 'configuration_spc.yaml'));
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.config['helm-repo-lookup'][0]?.source_override).toBe('https://artifactory.algol60.net/artifactory/spc-helm-charts/');
    expect(result.config.configuration['targeted-branch-regexes']).toEqual(['release\\/.+']);
  });

  it('loads the seed-era format, warning about each old key', async () => {
    const result = await loadConfiguration(join(REAL_WORLD, 'configs', 'configuration_seed_format.yaml'));
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.warnings).toHaveLength(3);
    expect(result.config['github-repo-image-lookup']).toHaveLength(2);
    expect(result.config.configuration['targeted-branches']).toEqual(['main']);
  });
});

describe('YAML errors a person can act on', () => {
  it('names the line where an unclosed quote starts, and quotes it', () => {
    const text = 'configuration:\n  product-stream-repo: "csm\n  org: Cray-HPE\n  log-level: INFO\n';
    const result = parseConfiguration(text, 'configuration.yaml');
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors).toEqual([
        'configuration.yaml: not valid YAML: the quoted value that starts on line 2 is never closed: "product-stream-repo: \\"csm" (the parser: deficient indentation at line 3, column 3)'
      ]);
  });

  it('finds single-quoted and list values too, and leaves other errors as the parser says them', () => {
    expect(describeYamlError("a: 'it''s\nb: 1\n", yamlError("a: 'it''s\nb: 1\n"))).toMatch(
      /^the quoted value that starts on line 1 is never closed: "a: 'it''s"/
    );
    expect(describeYamlError('a:\n  - "one\n  - two\n', yamlError('a:\n  - "one\n  - two\n'))).toMatch(/starts on line 2 is never closed/);
    expect(describeYamlError('a: "closed"\nb: [\n', yamlError('a: "closed"\nb: [\n'))).not.toMatch(/quoted value/);
  });
});

function yamlError(text: string): unknown {
  try {
    yaml.load(text);
  } catch (error) {
    return error;
  }
  throw new Error('expected a YAML error');
}
