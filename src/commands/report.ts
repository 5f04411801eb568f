/**
 * `kstep report <dir> [--out file]`: writes one self-contained HTML report of a results folder
 * (default <dir>/report.html): heatmap of outcomes, loss against cost, adjoint profiles, gradient
 * norm and SNR against K (when the folder has health.csv), the configuration and the command that
 * reproduces it. Reads the folder's CSVs and manifest only; nothing else is written. The file is
 * checked before anything is read: a folder, a missing folder or an unwritable place is refused, and
 * an existing file is replaced only when it is a kstep report (or with --force).
 */
import type { Command } from 'commander';
import { writeReport } from '../output/report/index.js';

interface ReportFlags {
  out?: string;
  force?: boolean;
  json?: boolean;
}

export function reportCommand(program: Command): void {
  program
    .command('report')
    .description('write a self-contained HTML report (inline SVG charts) of a results folder')
    .argument('<dir>', 'a results folder, e.g. results/quick')
    .option('--out <file>', 'where to write the report (default <dir>/report.html)')
    .option('--force', 'replace an existing --out file that is not a kstep report')
    .option('--json', 'print {file, bytes, charts} as JSON on stdout')
    .addHelpText('after', '\nExamples:\n  kstep report results/quick\n  kstep report results/chaos --out chaos.html\n  kstep sweep quick --report      # the same, at the end of a sweep')
    .action((dir: string, flags: ReportFlags) => {
      process.exitCode = reportAction(dir, flags);
    });
}

export function reportAction(dir: string, flags: ReportFlags): number {
  const r = writeReport(dir, flags.out, flags.force);
  if (flags.json) process.stdout.write(`${JSON.stringify(r)}\n`);
  else process.stdout.write(`report: ${r.file} (${(r.bytes / 1024).toFixed(0)} kB; ${r.charts.join(', ')})\n`);
  return 0;
}
