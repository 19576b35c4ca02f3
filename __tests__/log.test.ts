import { Writable } from 'node:stream';
import { ConsoleLog, describeLocation, formatProblem, logLevelOf } from '../src/log.js';

function capture(isTTY: boolean): { stream: Writable & { isTTY?: boolean }; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString();
      callback();
    }
  }) as Writable & { isTTY?: boolean };
  stream.isTTY = isTTY;
  return { stream, text: () => text };
}

describe('ConsoleLog', () => {
  it('replaces the progress line on a terminal and wipes it before lines that stay', () => {
    const out = capture(true);
    const err = capture(false);
    const log = new ConsoleLog(false, out.stream, err.stream);
    log.progress('cycle 1: 2 queued');
    log.progress('cycle 2: 2 in_progress');
    log.info('done');
    log.sayProblems([{ severity: 'error', message: 'build failed', where: { repo: 'hms-smd', tag: 'v1.0.0' } }]);
    expect(out.text()).toBe('\r\x1b[2Kcycle 1: 2 queued\r\x1b[2Kcycle 2: 2 in_progress\r\x1b[2Kdone\n');
    expect(err.text()).toBe('error: repo hms-smd, tag v1.0.0: build failed\n');
  });

  it('writes progress as plain lines when not on a terminal, and honours the log level', () => {
    const out = capture(false);
    const log = new ConsoleLog(false, out.stream, capture(false).stream);
    log.progress('cycle 1');
    log.debug('hidden');
    log.setLevel('DEBUG');
    log.debug('shown');
    log.setLevel('ERROR');
    log.info('quiet');
    expect(out.text()).toBe('cycle 1\n  … shown\n');
    expect([logLevelOf('warning'), logLevelOf('INFO'), logLevelOf('debug')]).toEqual(['quiet', 'info', 'debug']);
  });

  it('names every known place of a problem', () => {
    expect(
      describeLocation({ branch: 'release/1.6', file: 'manifests/a.yaml', yamlPath: 'spec.charts[1]', chart: 'cray-hms-smd 1.0.0' })
    ).toBe('branch release/1.6, manifests/a.yaml at spec.charts[1], chart cray-hms-smd 1.0.0');
    expect(formatProblem({ severity: 'warning', message: 'm' })).toBe('m');
  });
});
