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

/**
 * GitHub refused the token itself (401 Bad credentials): every later request would be refused
 * too, so the job stops with one error naming where the token came from, instead of one per image.
 */
export class TokenRefusedError extends Error {
  /** Still a 401 to whoever looks (the App's hook renews its installation token once on a 401). */
  readonly status = 401;
}

/** Rethrow what must end the job (a silent server, a refused token); other errors are the caller's to report. */
export function rethrowIfFatal(error: unknown): void {
  if (error instanceof NoAnswerError || error instanceof TokenRefusedError) throw error;
}

/**
 * Input the job cannot run with (a missing credential, a plan file of another stream): exit 2,
 * before anything runs. `details` are the problems behind it (each error of an invalid
 * configuration), said by the job's edge with the failure.
 */
export class BadInputError extends Error {
  override readonly name = 'BadInputError';
  constructor(
    message: string,
    options: ErrorOptions & { details?: readonly { severity: 'error' | 'warning' | 'notice'; message: string }[] } = {}
  ) {
    super(message, options);
    this.details = options.details ?? [];
  }
  readonly details: readonly { severity: 'error' | 'warning' | 'notice'; message: string }[];
}

/** Wait for `work`, or throw `signal.reason`'s word when the job is cancelled first (the work goes on unwatched). */
export function unlessAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new CancelledError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new CancelledError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    );
  });
}

/** The job was cancelled (SIGINT, SIGTERM) while it waited. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor(signal: AbortSignal) {
    super(
      `it was cancelled (${typeof signal.reason === 'string' ? signal.reason : 'cancelled'}); builds still running go on without being watched`
    );
  }
}
