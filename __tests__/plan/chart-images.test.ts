import { builtRepositories, chartGithubRepo, findChartImages, findContainerImages, mergeValues } from '../../src/plan/chart-images.js';
import { parseYamlDocuments } from '../../src/yaml.js';

const rendered = `---
apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      initContainers:
        - name: wait
          image: reg/postgres:13.2
      containers:
        - name: smd
          image: reg/stable/cray-smd:2.24.0
        - name: sidecar
          image: reg/istio/proxy:1.0
---
apiVersion: batch/v1
kind: CronJob
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: job
              image: reg/stable/cray-smd-init:2.24.0
---
apiVersion: v1
kind: Pod
metadata:
  annotations: { helm.sh/hook: test }
spec:
  containers:
    - name: test
      image: reg/stable/cray-smd-test:2.24.0
    - name: digest
      image: reg/stable/cray-smd@sha256:abcdef
`;

describe('chart images', () => {
  const values = {
    image: { repository: 'reg/stable/cray-smd' },
    tests: { image: { repository: 'reg/stable/cray-smd-test' } },
    'cray-service': {
      containers: {
        'cray-smd': { image: { repository: 'reg/stable/cray-smd' } },
        init: { image: { repository: 'reg/stable/cray-smd-init' } }
      }
    }
  };

  it('finds every container and initContainer image in any kind of document', () => {
    expect(findContainerImages(parseYamlDocuments(rendered, 'r')).sort()).toEqual([
      'reg/istio/proxy:1.0',
      'reg/postgres:13.2',
      'reg/stable/cray-smd-init:2.24.0',
      'reg/stable/cray-smd-test:2.24.0',
      'reg/stable/cray-smd:2.24.0',
      'reg/stable/cray-smd@sha256:abcdef'
    ]);
  });

  it('keeps the images whose repository the chart builds', () => {
    expect(builtRepositories(values)).toEqual(new Set(['reg/stable/cray-smd', 'reg/stable/cray-smd-test', 'reg/stable/cray-smd-init']));
    expect(findChartImages(parseYamlDocuments(rendered, 'r'), values)).toEqual([
      { repository: 'reg/stable/cray-smd', tag: '2.24.0' },
      { repository: 'reg/stable/cray-smd-init', tag: '2.24.0' },
      { repository: 'reg/stable/cray-smd-test', tag: '2.24.0' }
    ]);
  });

  it('merges manifest values over chart values as helm does', () => {
    expect(
      mergeValues({ global: { appVersion: '1', testVersion: '1' }, list: [1, 2] }, { global: { appVersion: '2' }, list: [3] })
    ).toEqual({
      global: { appVersion: '2', testVersion: '1' },
      list: [3]
    });
  });

  it("names the chart's GitHub repo from sources[0]", () => {
    expect(chartGithubRepo({ sources: ['https://github.com/Cray-HPE/hms-smd', 'https://x'] })).toBe('hms-smd');
    expect(chartGithubRepo({ sources: ['https://github.com/Cray-HPE/hms-smd.git/'] })).toBe('hms-smd');
    expect(chartGithubRepo({ name: 'x' })).toBeUndefined();
  });
});
