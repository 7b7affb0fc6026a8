// The streams a command writes to; tests pass in-memory ones.
export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** A usage or input error: the message is shown as is and the exit code is 2. */
export class UserError extends Error {}
