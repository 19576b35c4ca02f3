import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeOperations, dockerfilePackages } from '../../src/packages/dockerfile-packages.js';
import { hasRealWorld, REAL_WORLD } from '../support/shared.js';

describe('the package operations of a Dockerfile’s final chain', () => {
  it('follows FROM <stage> back to the external base and names the stages that run package operations', () => {
    const text = [
      'FROM golang:1.24-alpine AS build',
      'RUN apk -U upgrade && apk add build-base',
      'FROM alpine:3.22 AS deploy-base',
      'RUN set -x \\',
      '    && apk -U upgrade \\',
      '    && apk add --no-cache bash python3 py3-pip \\',
      '    && pip3 install --upgrade pip \\',
      '    && pipenv install --deploy --ignore-pipfile',
      'FROM deploy-base',
      'COPY --from=build /bin/x /bin/x'
    ].join('\n');
    const found = dockerfilePackages(text);
    expect(describeOperations(found.chain)).toBe('[deploy-base] apk -U upgrade,apk add,pip install');
    expect(found.classification).toBe('upgrade');
    expect(found.base).toBe('alpine:3.22');
    expect(found.unmodelled).toEqual(['stage deploy-base: pip3 install --upgrade pip']);
  });

  it('classifies adds only, no operation, and the steps no index models', () => {
    expect(dockerfilePackages('FROM alpine:3.22\nRUN apk add --no-cache curl').classification).toBe('add-only');
    const none = dockerfilePackages('FROM artifactory.algol60.net/csm-docker/stable/hms-test:5.0.0\nRUN chown -R 65534:65534 /src');
    expect([none.classification, describeOperations(none.chain), none.base]).toEqual([
      'none',
      '-',
      'artifactory.algol60.net/csm-docker/stable/hms-test:5.0.0'
    ]);
    const opaque = dockerfilePackages(
      [
        'FROM debian:12',
        'RUN apt-get update && apt-get dist-upgrade -y',
        'RUN curl -fsSL https://example.com/install.sh | sh',
        'RUN ["npm", "install", "-g", "x"]',
        'RUN go install example.com/tool@latest && git clone --branch main https://example.com/r',
        'RUN <<EOF',
        'apk add x',
        'EOF'
      ].join('\n')
    );
    expect(opaque.classification).toBe('upgrade');
    expect(describeOperations(opaque.chain)).toBe('[final] apt-get dist-upgrade');
    expect(opaque.unmodelled).toEqual([
      'stage final: sh',
      'stage final: npm install -g x',
      'stage final: go install example.com/tool@latest',
      'stage final: git clone --branch main https://example.com/r',
      'stage final: RUN with a heredoc (its script is not read)'
    ]);
  });

  // the real HMS Dockerfiles at every tag CSM ships, against the "pkg ops on final chain" column of csm-image-bases.tsv
  (hasRealWorld && existsSync(join(REAL_WORLD, 'hms', 'csm-image-bases.tsv')) ? it : it.skip)(
    'reads every real HMS Dockerfile as csm-image-bases.tsv does',
    () => {
      const rows = readFileSync(join(REAL_WORLD, 'hms', 'csm-image-bases.tsv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1);
      let compared = 0;
      const disagree: string[] = [];
      const classes = new Map<string, number>();
      for (const row of rows) {
        const [image, tag, , repo, dockerfile, , , ops] = row.split('\t');
        const file = join(REAL_WORLD, 'hms', repo ?? '', `v${tag ?? ''}`, dockerfile ?? '');
        if (!existsSync(file)) continue;
        const found = dockerfilePackages(readFileSync(file, 'utf8'));
        compared++;
        classes.set(found.classification, (classes.get(found.classification) ?? 0) + 1);
        if (describeOperations(found.chain) !== ops)
          disagree.push(`${image}:${tag} (${dockerfile}): ${describeOperations(found.chain)} ≠ ${ops}`);
      }
      expect(disagree).toEqual([]);
      expect(compared).toBeGreaterThanOrEqual(100);
      expect(classes.get('upgrade')).toBeGreaterThan(0);
      expect(classes.get('none')).toBeGreaterThan(0);
    }
  );
});
