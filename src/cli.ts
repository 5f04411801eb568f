/** Commander wiring only: parse, validate, call, print. Exit codes: 0 ok, 1 run-time failure, 2 usage. */
import { Command, CommanderError } from 'commander';
import { adviseCommand } from './commands/advise.js';
import { gradcheckCommand } from './commands/gradcheck.js';
import { healthCommand } from './commands/health.js';
import { listCommand } from './commands/list.js';
import { mergeCommand } from './commands/merge.js';
import { reportCommand } from './commands/report.js';
import { lyapunovCommand } from './commands/lyapunov.js';
import { runCommand } from './commands/run.js';
import { statusCommand } from './commands/status.js';
import { summarizeCommand } from './commands/summarize.js';
import { sweepCommand } from './commands/sweep.js';
import { kernelChoice } from './core/kernel-set.js';
import { UsageError } from './errors.js';
import { version } from './version.js';

export function buildProgram(): Command {
  const program = new Command('kstep')
    .description('measured, reproducible sweeps of training a network applied K times in sequence')
    .version(version)
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({ outputError: (msg, write) => write(msg.split('\n')[0] + '\n') });
  const commands = [
    runCommand,
    sweepCommand,
    summarizeCommand,
    mergeCommand,
    statusCommand,
    reportCommand,
    gradcheckCommand,
    healthCommand,
    lyapunovCommand,
    adviseCommand,
    listCommand,
  ];
  for (const register of commands) register(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  // `kstep ... | head` closes stdout early: that is the reader's choice, not a failure.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  try {
    // KSTEP_KERNELS is read by every rollout, worker threads' too: a bad value is refused once, here.
    kernelChoice();
    await buildProgram().parseAsync(argv);
    return Number(process.exitCode ?? 0);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and --version end through here with exit code 0; every parse error is a usage error.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`kstep: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`kstep: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
