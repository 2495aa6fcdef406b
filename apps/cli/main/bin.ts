#!/usr/bin/env node
import { describeError } from './error-boundary.js';
import { main } from './main.js';

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
    // Drivers may hold sockets or native threads a little longer than needed; never hang after the work is done.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (err: unknown) => {
    process.stderr.write(`${describeError(err, true)}\n`);
    process.exitCode = 1;
  },
);
