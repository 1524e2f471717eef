#!/usr/bin/env node
// `container-batch`: the command line of the Container Service batch API (see docs/cli.md).
import { connect } from './connection';
import { run } from './program';

run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  connect: (flags) => connect(flags, process.env),
  exitCode: { value: 0 },
}).then(
  // Exit at once: idle keep-alive connections would otherwise hold the process for seconds.
  (code) => process.stdout.write('', () => process.exit(code)),
  (error: unknown) => {
    process.stderr.write(`container-batch: ${String(error)}\n`);
    process.exit(1);
  },
);
