/**
 * A usage or validation error: bad input that is refused before any work starts.
 * The CLI prints its message on one line and exits with code 2.
 */
export class UsageError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'UsageError';
  }
}

/** "unknown X 'v' (allowed: a, b, c)" as a UsageError on `field`. */
export function unknownName(field: string, value: string, allowed: readonly string[]): UsageError {
  return new UsageError(field, `unknown value '${value}' (allowed: ${allowed.join(', ')})`);
}
