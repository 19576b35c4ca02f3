import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { matchDockerIndex } from '../../src/plan/docker-index.js';
import { parseYaml } from '../../src/yaml.js';
import { hasRealWorld, realWorldBranches, REAL_WORLD } from '../support/shared.js';
import { parseConfiguration } from '../../src/config/load.js';

describe('matchDockerIndex', () => {
  const index = parseYaml(
    `reg.example/stable:
  images:
    hms-shcd-parser: [1.9.0, 1.8.0]
    cray-sat: [3.32.6]
    nested:
      deeper: [0.1.0]
quay.io/other:
  images:
    hms-shcd-parser: [9.9.9]
`,
    'index.yaml',
    { allStrings: true }
  );

  it('selects the tags under every find_me leaf, at any depth', () => {
    const match = matchDockerIndex(
      { 'reg.example/stable': { images: { 'hms-shcd-parser': ['find_me'], nested: { deeper: ['find_me'] } } } },
      index
    );
    expect(match.problems).toEqual([]);
    expect(match.images).toEqual([
      {
        repository: 'reg.example/stable/hms-shcd-parser',
        tags: ['1.9.0', '1.8.0'],
        yamlPath: '"reg.example/stable".images.hms-shcd-parser'
      },
      { repository: 'reg.example/stable/nested/deeper', tags: ['0.1.0'], yamlPath: '"reg.example/stable".images.nested.deeper' }
    ]);
  });

  it('skips what the branch does not ship and reports shapes that are wrong', () => {
    const odd = parseYaml('r:\n  images:\n    a: "1.0"\n    b: { x: 1 }\n', 'i.yaml', { allStrings: true });
    const match = matchDockerIndex(
      { r: { images: { a: ['find_me'], b: ['find_me'], gone: ['find_me'] } }, absent: { images: { z: ['find_me'] } } },
      odd
    );
    expect(match.images).toEqual([]);
    expect(match.problems).toEqual([
      { yamlPath: 'r.images.a', message: 'expected a list of image tags' },
      { yamlPath: 'r.images.b', message: 'expected a list of image tags' }
    ]);
  });

  it('keeps tags that look like numbers exactly as written', () => {
    const numeric = parseYaml('r:\n  images:\n    a: [2.0, 1.10]\n', 'i.yaml', { allStrings: true });
    expect(matchDockerIndex({ r: { images: { a: ['find_me'] } } }, numeric).images[0]?.tags).toEqual(['2.0', '1.10']);
  });
});

(hasRealWorld ? describe : describe.skip)('matchDockerIndex on the real CSM docker indexes', () => {
  // what the upstream docker-image-compare selects on each branch (shared/real-world/README.md)
  const expected: Record<string, string[]> = {
    'release/1.6': ['hardware-topology-assistant:0.3.1', 'hms-shcd-parser:1.9.0'],
    'release/1.5': ['hardware-topology-assistant:0.2.0', 'hms-shcd-parser:1.9.0'],
    'stable/1.5': ['cray-capmc:2.7.0', 'hardware-topology-assistant:0.2.0', 'hms-shcd-parser:1.9.0'],
    'release/1.4': ['cray-capmc:2.7.0', 'hardware-topology-assistant:0.2.0', 'hms-shcd-parser:1.9.0'],
    'release/1.3': ['hardware-topology-assistant:0.2.0', 'hms-shcd-parser:1.8.0', 'hms-trs-worker-http-v1:1.8.0'],
    'release/1.3.0': ['hardware-topology-assistant:0.1.0', 'hms-shcd-parser:1.8.0', 'hms-trs-worker-http-v1:1.8.0'],
    'stable/1.2': ['hms-shcd-parser:1.8.0', 'hms-trs-worker-http-v1:1.6.1']
  };
  // read in the test, never in the describe body: jest runs a skipped describe's body too
  const readConfig = () =>
    parseConfiguration(readFileSync(join(REAL_WORLD, 'configs', 'configuration_csm.yaml'), 'utf8'), 'configuration_csm.yaml');

  it.each(realWorldBranches())('$branch', ({ branch, dir }) => {
    const config = readConfig();
    if (!config.ok) throw new Error(config.errors.join('\n'));
    const index = parseYaml(readFileSync(join(dir, 'docker', 'index.yaml'), 'utf8'), 'index.yaml', { allStrings: true });
    const match = matchDockerIndex(config.config['docker-image-compare'], index);
    expect(match.problems).toEqual([]);
    const found = match.images.flatMap((i) => i.tags.map((t) => `${i.repository.split('/').pop()}:${t}`)).sort();
    expect(found).toEqual(expected[branch]);
    for (const image of match.images) expect(image.repository.startsWith('artifactory.algol60.net/csm-docker/stable/')).toBe(true);
  });
});
