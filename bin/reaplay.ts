#!/usr/bin/env node
// Shim: run the CLI with the process's streams and exit with its code.
import { warmForArgs } from '../parsers/trace-dat/early.ts';

// Before the CLI's modules load, so that their loading and the threads' overlap.
warmForArgs(process.argv.slice(2));
const { run } = await import('../src/cli/main.ts');

// `reaplay parse … | head -1`: once the reader is gone, end quietly (no EPIPE stack trace).
for (const s of [process.stdout, process.stderr]) {
  s.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
