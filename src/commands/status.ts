/**
 * `kstep status <results dir>`: cells done against cells to do, per shard and merged, with the Slurm
 * state of each array task and of the merge job when `kstep sweep --slurm` submitted into the folder
 * and squeue answers. Reads files and asks squeue; writes nothing. Exit code 0, or 2 when the folder
 * is not a results folder.
 */
import type { Command } from 'commander';
import { shardsText } from '../experiment/cluster.js';
import { type FolderStatus, type ShardStatus, folderStatus, stalledShards } from '../experiment/status.js';
import type { QueueEntry } from '../experiment/slurm.js';

export function statusCommand(program: Command): void {
  program
    .command('status')
    .description('progress of a results folder: cells done per shard and merged, and the Slurm jobs (squeue)')
    .argument('<dir>', 'a results folder, e.g. results/chaos (the one kstep sweep --slurm printed)')
    .option('--json', 'print the status as JSON on stdout')
    .addHelpText('after', '\nExample:\n  kstep sweep chaos --slurm --shards 8\n  kstep status results/chaos')
    .action((dir: string, flags: { json?: boolean }) => {
      process.exitCode = statusAction(dir, flags);
    });
}

function queueText(q: QueueEntry | undefined, known: boolean): string {
  if (!known) return '?';
  if (!q) return '-';
  return q.reason && q.reason !== 'None' ? `${q.state} (${q.reason})` : q.state;
}

function count(done: number, total: number | undefined): string {
  return `${done}/${total ?? '?'}`;
}

function complete(s: ShardStatus): boolean {
  return s.total !== undefined && s.done >= s.total;
}

/** The status as lines of text. */
export function statusText(s: FolderStatus): string {
  const lines: string[] = [];
  const done = s.shards.reduce((a, x) => a + x.done, 0);
  const total = s.shards.reduce((a, x) => a + (x.total ?? 0), 0);
  const name = s.experiment !== undefined ? ` (experiment ${s.experiment})` : '';
  if (s.shards.length) lines.push(`${s.dir}${name}: ${done} of ${total} cells done in ${s.shards.length} shards`);
  else if (s.own) lines.push(`${s.dir}${name}: ${s.own.done} of ${s.own.total ?? '?'} cells done`);
  const sub = s.submission;
  const slurm = sub !== undefined;
  const known = s.squeue === true;
  if (sub) {
    const array = sub.array_job !== null ? `array job ${sub.array_job} (${shardsText(sub.tasks)}), ` : '';
    lines.push(`Slurm: ${array}merge job ${sub.merge_job}, submitted ${sub.submitted}${known ? '' : '; squeue did not answer: job states unknown'}`);
  }
  if (s.shards.length) {
    const rows = s.shards.map((x) => [x.shard, count(x.done, x.total), ...(slurm ? [x.job ? queueText(x.queue, known) : complete(x) ? 'done earlier' : '-'] : [])]);
    if (slurm && s.merge) rows.push(['merge', '', queueText(s.merge.queue, known)]);
    const header = ['shard', 'cells', ...(slurm ? ['slurm'] : [])];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    for (const r of [header, ...rows]) lines.push(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  '));
    if (s.own?.merged) lines.push(`merged: ${count(s.own.done, s.own.total)} cells in ${s.dir}`);
    const stalled = !slurm || known ? stalledShards(s) : [];
    const names = `shard${stalled.length === 1 ? '' : 's'} ${stalled.map((x) => x.shard).join(', ')}`;
    if (stalled.length && slurm)
      lines.push(`incomplete and not in Slurm's queue: ${names}; submit the same kstep sweep --slurm command again with --resume to finish ${stalled.length === 1 ? 'it' : 'them'}`);
    else if (stalled.length) lines.push(`incomplete: ${names}; run ${stalled.length === 1 ? 'its' : 'their'} kstep sweep --shard command again with --resume to finish ${stalled.length === 1 ? 'it' : 'them'}`);
  }
  return `${lines.join('\n')}\n`;
}

export function statusAction(dir: string, flags: { json?: boolean }): number {
  const s = folderStatus(dir);
  process.stdout.write(flags.json ? `${JSON.stringify(s, null, 2)}\n` : statusText(s));
  return 0;
}
