/** The message of anything thrown, Error or not. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The first line of a long message (YAML parsers add a code excerpt below it). */
export function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

/** The HTTP status of an Octokit RequestError, if the thrown value has one. */
export function httpStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** A thrown value as one line for a person: its message and, when it has one, its cause's. */
export function describeThrown(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}

/**
 * A server that accepted a request and never answered it in time. It ends the job: waiting on the
 * next request to the same server would only repeat the wait. Its message names the server and the
 * operation.
 */
export class NoAnswerError extends Error {
  override readonly name = 'NoAnswerError';
}

/**
 * A request that would have taken credentials to another origin than its server's: a `Link: next`,
 * a redirect or a URL read from an answer that points elsewhere. Nothing was sent there.
 */
export class ForeignOriginError extends Error {
  override readonly name = 'ForeignOriginError';
  constructor(server: string, operation: string, foreign: string, how: string) {
    super(`${server}: ${operation} ${how} ${foreign}, another origin: refused, the credentials stay with their server`);
  }
}

/** Rethrow what must end the job (a silent server); other errors are the caller's to report. */
export function rethrowIfFatal(error: unknown): void {
  if (error instanceof NoAnswerError) throw error;
}
