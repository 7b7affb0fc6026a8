#!/usr/bin/env node
// Shim: run the CLI with the process's streams and exit with its code.
import { run } from '../src/cli/main.ts';

process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
