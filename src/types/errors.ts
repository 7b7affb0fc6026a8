// Errors the commands expect, each with a code; the exit code is chosen from the code
// in one table (EXIT_CODES), never from a message's text.

/** Codes of the errors a command reports to the user (the message is shown as is). */
export type ErrorCode =
  /** Bad words on the command line (an option's value, a missing argument). */
  | 'usage'
  /** `--kernel V` or `--as-kernel V` is not a version. */
  | 'bad_kernel_version'
  /** `--capability NAME=VALUE` names no capability or gives a bad value. */
  | 'bad_capability'
  /** An input cannot be read (missing file, permission). */
  | 'read_failed'
  /** gzip or zstd data is corrupt or truncated. */
  | 'bad_compression'
  /** An input is not a trace in any known format (an image, an empty file). */
  | 'not_a_trace'
  /** `timeline --pid/--mm` names no victim address space. */
  | 'no_such_victim'
  /** An output folder or file cannot be written. */
  | 'cannot_write'
  /** Inputs that claim one capture conflict (two kernels in one folder, a log several captures could own). */
  | 'mixed_captures'
  /** A detector with the same id is registered twice (a library caller's mistake). */
  | 'duplicate_detector';

/** Exit code per error code: 2 is bad input or usage. */
export const EXIT_CODES: Readonly<Record<ErrorCode, number>> = {
  usage: 2,
  bad_kernel_version: 2,
  bad_capability: 2,
  read_failed: 2,
  bad_compression: 2,
  not_a_trace: 2,
  no_such_victim: 2,
  cannot_write: 2,
  mixed_captures: 2,
  duplicate_detector: 2,
};

/** An error with a code; its message is meant for the user and names what was expected. */
export class ReaplayError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A usage or input error the user can fix: shown as is, exit code 2. */
export class UserError extends ReaplayError {
  constructor(message: string, code: ErrorCode = 'usage') {
    super(code, message);
  }
}

/** The code of an error that carries one of ours (any class with a known `code`), else undefined. */
export function errorCodeOf(e: unknown): ErrorCode | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && Object.hasOwn(EXIT_CODES, code) && e instanceof Error ? (code as ErrorCode) : undefined;
}
