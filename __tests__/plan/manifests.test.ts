import { chartDownloadUrl, parseLoftsmanManifest, rewriteUrl, selectCharts } from '../../src/plan/manifests.js';
import { compileAnchored } from '../../src/config/configuration.js';

const manifest = `apiVersion: manifests/v1beta1
metadata: { name: sysmgmt }
spec:
  sources:
    charts:
    - name: csm-algol60
      type: repo
      location: https://charts.example/artifactory/csm-helm-charts/
  charts:
  - name: cray-hms-rts
    source: csm-algol60
    version: 5.0.0
    namespace: services
  - name: cray-hms-rts
    releaseName: cray-hms-rts-snmp
    source: csm-algol60
    version: 5.0.0
    namespace: services
    values:
      rtsDoInit: false
  - name: cray-cfs-api
    source: csm-algol60
    version: 1.0.0
  - name: cray-hms-bss
    source: elsewhere
    version: 3.2.4
  - name: cray-hms-broken
  - just a string
`;

describe('loftsman manifests', () => {
  it('reads chart entries with their source location, release name and values', () => {
    const parsed = parseLoftsmanManifest(manifest, 'manifests/sysmgmt.yaml');
    expect(parsed.charts.map((c) => [c.name, c.version, c.releaseName, c.sourceLocation])).toEqual([
      ['cray-hms-rts', '5.0.0', 'cray-hms-rts', 'https://charts.example/artifactory/csm-helm-charts/'],
      ['cray-hms-rts', '5.0.0', 'cray-hms-rts-snmp', 'https://charts.example/artifactory/csm-helm-charts/'],
      ['cray-cfs-api', '1.0.0', 'cray-cfs-api', 'https://charts.example/artifactory/csm-helm-charts/'],
      ['cray-hms-bss', '3.2.4', 'cray-hms-bss', undefined]
    ]);
    expect(parsed.charts[1]?.values).toEqual({ rtsDoInit: false });
    expect(parsed.charts[1]?.yamlPath).toBe('spec.charts[1]');
    expect(parsed.problems).toEqual([
      {
        file: 'manifests/sysmgmt.yaml',
        yamlPath: 'spec.charts[4]',
        message: 'a chart entry needs a name and a version (chart cray-hms-broken)'
      },
      { file: 'manifests/sysmgmt.yaml', yamlPath: 'spec.charts[5]', message: 'must be a mapping' }
    ]);
  });

  it('selects charts by the regex, anchored at the start', () => {
    const { charts } = parseLoftsmanManifest(manifest, 'm.yaml');
    expect(selectCharts(charts, compileAnchored('cray-hms-.*')).map((c) => c.releaseName)).toEqual([
      'cray-hms-rts',
      'cray-hms-rts-snmp',
      'cray-hms-bss'
    ]);
    expect(selectCharts(charts, compileAnchored('hms')).length).toBe(0);
  });

  it('reports YAML that is not a manifest', () => {
    expect(parseLoftsmanManifest('a: [', 'x.yaml').problems[0]?.message).toMatch(/^not valid YAML/);
    expect(parseLoftsmanManifest('kind: Something\n', 'x.yaml').problems[0]).toEqual({
      file: 'x.yaml',
      yamlPath: 'spec',
      message: 'not a loftsman manifest: no spec mapping'
    });
    expect(parseLoftsmanManifest('', 'empty.yaml')).toEqual({ charts: [], problems: [] });
  });

  it('builds the download URL with one slash at each joint, and rewrites it for a mirror', () => {
    expect(chartDownloadUrl('https://a.example/charts/', '/stable/cray-hms-bss/', 'cray-hms-bss', '3.2.4')).toBe(
      'https://a.example/charts/stable/cray-hms-bss/cray-hms-bss-3.2.4.tgz'
    );
    expect(chartDownloadUrl('https://a.example/charts', '', 'x', '1.0.0')).toBe('https://a.example/charts/x-1.0.0.tgz');
    expect(rewriteUrl('https://a.example/charts/x.tgz', [{ from: 'https://a.example/', to: 'http://127.0.0.1:9/' }])).toBe(
      'http://127.0.0.1:9/charts/x.tgz'
    );
    expect(rewriteUrl('https://b.example/x.tgz', [{ from: 'https://a.example/', to: 'http://m/' }])).toBe('https://b.example/x.tgz');
  });
});
