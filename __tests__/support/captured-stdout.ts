/**
 * What the code under test prints to stdout, kept from the test log: @actions/core writes its
 * workflow commands there (`::add-mask::`, `::debug::`), and on GitHub's CI a test log's commands
 * would become masks and annotations of the CI job itself.
 */
export class CapturedStdout {
  text = '';
  private original: PropertyDescriptor | undefined;

  start(): void {
    this.text = '';
    this.original = Object.getOwnPropertyDescriptor(process.stdout, 'write');
    const write = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      this.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const done = rest.find((r): r is () => void => typeof r === 'function');
      done?.();
      return true;
    };
    Object.defineProperty(process.stdout, 'write', { value: write, configurable: true, writable: true });
  }

  stop(): void {
    // the stream's own write is on its prototype: removing ours brings it back
    if (this.original) Object.defineProperty(process.stdout, 'write', this.original);
    else delete (process.stdout as { write?: unknown }).write;
    this.original = undefined;
  }

  /** The workflow commands printed, one per line. */
  commands(): string[] {
    return this.text.split('\n').filter((line) => line.startsWith('::'));
  }
}
