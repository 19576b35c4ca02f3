import { describeThrown, errorMessage, firstLine, httpStatus } from '../src/errors.js';

describe('errors', () => {
  it('describes anything thrown, with its cause', () => {
    expect(describeThrown(new Error('cannot find the installation', { cause: new Error('Bad credentials') }))).toBe(
      'cannot find the installation: Bad credentials'
    );
    expect(describeThrown('a string')).toBe('a string');
    expect(errorMessage({ weird: true })).toBe('[object Object]');
    expect(firstLine('unexpected end (3:1)\n 3 | charts: [\n   ^')).toBe('unexpected end (3:1)');
    expect([httpStatus({ status: 404 }), httpStatus(new Error('x')), httpStatus(null), httpStatus({ status: '500' })]).toEqual([
      404,
      undefined,
      undefined,
      undefined
    ]);
  });
});
