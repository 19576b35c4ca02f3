import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toYaml } from '../../src/yaml.js';

export const REGISTRY = 'artifactory.algol60.net/csm-docker/stable';

export interface HmsChartSpec {
  name: string;
  version: string;
  /** GitHub repo named by Chart.yaml sources[0]. */
  githubRepo: string;
  /** Image short name of the service (its test image is `<image>-test`). */
  image: string;
  appVersion: string;
  /** `cray-service`: containers through the vendored cray-service subchart (as real HMS charts); `plain`: one Deployment. */
  style?: 'cray-service' | 'plain';
  withTests?: boolean;
  /** Leave sources out of Chart.yaml (an error case). */
  noSources?: boolean;
}

const CRAY_SERVICE_CHART = {
  'Chart.yaml': toYaml({ apiVersion: 'v2', name: 'cray-service', version: '11.0.0', description: 'Shared service chart (test copy)' }),
  'values.yaml': toYaml({ containers: {}, replicaCount: 1 }),
  'templates/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicaCount }}
  template:
    spec:
      initContainers:
        - name: wait-for-postgres
          image: artifactory.algol60.net/csm-docker/stable/docker.io/library/postgres:13.2-alpine
      containers:
{{- range $name, $c := .Values.containers }}
        - name: {{ $name }}
          image: "{{ $c.image.repository }}:{{ $c.image.tag | default $.Values.global.appVersion }}"
{{- end }}
`
};

/** Write an HMS-like chart folder (Chart.yaml, values.yaml, templates, vendored cray-service) and return it. */
export function writeHmsChart(spec: HmsChartSpec, parent = mkdtempSync(join(tmpdir(), 'chart-src-'))): string {
  const dir = join(parent, spec.name);
  const style = spec.style ?? 'cray-service';
  const repository = `${REGISTRY}/${spec.image}`;
  const files: Record<string, string> = {};
  const chart: Record<string, unknown> = {
    apiVersion: 'v2',
    name: spec.name,
    version: spec.version,
    appVersion: spec.appVersion,
    description: `${spec.name} (test chart)`
  };
  if (!spec.noSources) chart.sources = [`https://github.com/Cray-HPE/${spec.githubRepo}`];
  const values: Record<string, unknown> = {
    global: { appVersion: spec.appVersion, testVersion: spec.appVersion },
    image: { repository, pullPolicy: 'IfNotPresent' }
  };
  if (spec.withTests !== false) {
    values.tests = { image: { repository: `${repository}-test`, pullPolicy: 'IfNotPresent' } };
    files['templates/tests/test-smoke.yaml'] = `apiVersion: v1
kind: Pod
metadata:
  name: "{{ .Release.Name }}-test-smoke"
  annotations:
    "helm.sh/hook": test
spec:
  restartPolicy: Never
  containers:
    - name: smoke
      image: "{{ .Values.tests.image.repository }}:{{ .Values.global.testVersion }}"
`;
  }
  if (style === 'cray-service') {
    chart.dependencies = [{ name: 'cray-service', version: '11.0.0' }];
    values['cray-service'] = { containers: { [spec.image]: { name: spec.image, image: { repository } } } };
    for (const [path, text] of Object.entries(CRAY_SERVICE_CHART)) files[`charts/cray-service/${path}`] = text;
  } else {
    files['templates/deployment.yaml'] = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  template:
    spec:
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.global.appVersion }}"
{{- if .Values.sidecar }}
        - name: sidecar
          image: "{{ .Values.sidecar }}"
{{- end }}
`;
  }
  files['Chart.yaml'] = toYaml(chart);
  files['values.yaml'] = toYaml(values);
  for (const [path, text] of Object.entries(files)) {
    const target = join(dir, path);
    mkdirSync(join(target, '..'), { recursive: true });
    writeFileSync(target, text);
  }
  return dir;
}
