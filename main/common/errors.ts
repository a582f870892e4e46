// The closed set of error codes that cross process and IPC boundaries (cockpit "problem" codes,
// bolt's BoltError). `message` is English for people; `code` is what programs switch on.

export const ERROR_CODES = [
  'invalid-input',
  'not-found',
  'device-gone',
  'permission-denied',
  'unsupported',
  'busy',
  // Another eject or recovery of the same GPU holds its lock (main/actions/gpu-lock.ts).
  'already-running',
  // "An eject is under way" could not be written, so a watcher would call it a surprise removal.
  'intent-not-recorded',
  'blocked',
  'cancelled',
  'timeout',
  'driver-stuck',
  'auth-dismissed',
  'not-authorized',
  'command-failed',
  'io',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export type ErrorDetail = Readonly<Record<string, string | number | boolean | null>>;

export type AppError = {
  readonly code: ErrorCode;
  readonly message: string;
  readonly detail?: ErrorDetail;
};

export const appError = (code: ErrorCode, message: string, detail?: ErrorDetail): AppError =>
  detail === undefined ? { code, message } : { code, message, detail };

/** An invariant broke: a bug in eGPU Guard, never an expected condition. */
export class BugError extends Error {
  override name = 'BugError';
}

export function assertNever(value: never, what = 'value'): never {
  throw new BugError(`unexpected ${what}: ${JSON.stringify(value)}`);
}

export const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
