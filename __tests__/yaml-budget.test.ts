import { parseLoftsmanManifest } from '../src/plan/manifests.js';
import { inspectWorkflowFile } from '../src/plan/workflow-choice.js';
import { parseYaml, YAML_LIMITS, YamlBudgetError } from '../src/yaml.js';
import { aliasBomb } from './support/alias-bomb.js';

describe('YAML from elsewhere is read within a budget', () => {
  it('refuses an alias bomb before anything walks it, naming the file and the bound', () => {
    const bomb = aliasBomb();
    expect(bomb.length).toBeLessThan(700);
    // walking it would not end: the test would time out
    expect(() => parseYaml(bomb, 'docker/index.yaml', { allStrings: true })).toThrow(YamlBudgetError);
    expect(() => parseYaml(bomb, 'docker/index.yaml')).toThrow(
      'docker/index.yaml has more than 500,000 YAML nodes once its aliases are expanded (an alias bomb?): not read'
    );
  });

  it("refuses a manifest whose entry's values are an alias bomb, as one problem of that file", () => {
    const manifest = [
      'apiVersion: manifests/v1beta1',
      'spec:',
      '  charts:',
      '    - name: cray-hms-smd',
      '      version: 1.0.0',
      '      namespace: services',
      '      values:',
      aliasBomb('        ')
    ].join('\n');
    const parsed = parseLoftsmanManifest(manifest, 'manifests/sysmgmt.yaml');
    expect(parsed.charts).toEqual([]);
    expect(parsed.problems).toEqual([
      {
        file: 'manifests/sysmgmt.yaml',
        message: 'manifests/sysmgmt.yaml has more than 500,000 YAML nodes once its aliases are expanded (an alias bomb?): not read'
      }
    ]);
  });

  it('says a workflow file at a tag cannot be read, and why, instead of calling it missing', () => {
    const facts = inspectWorkflowFile(`name: Build\non: [workflow_dispatch]\n${aliasBomb()}\n`, '.github/workflows/build.yaml');
    expect(facts).toEqual({
      imageNames: [],
      dispatchable: false,
      unreadable: '.github/workflows/build.yaml has more than 500,000 YAML nodes once its aliases are expanded (an alias bomb?): not read'
    });
    const huge = `name: Build\non: [workflow_dispatch]\n# ${'x'.repeat(YAML_LIMITS.maxBytes)}\n`;
    expect(inspectWorkflowFile(huge, '.github/workflows/big.yaml')?.unreadable).toBe(
      '.github/workflows/big.yaml is too large to read: 16.0 MB of YAML, more than the 16 MB a document may have'
    );
  });

  it('reads ordinary documents with shared anchors as before', () => {
    const doc = parseYaml('base: &b {image: x, tag: "1"}\nsmd: *b\nbss: [*b, *b]\n', 'values.yaml');
    expect(doc).toEqual({
      base: { image: 'x', tag: '1' },
      smd: { image: 'x', tag: '1' },
      bss: [
        { image: 'x', tag: '1' },
        { image: 'x', tag: '1' }
      ]
    });
  });
});
