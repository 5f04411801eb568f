/** `kstep list`: the registries, read from the same tables the validator and the tests use. */
import type { Command } from 'commander';
import { activations } from '../core/activations.js';
import { featureMaps } from '../core/features.js';
import { initNames } from '../core/mlp.js';
import { tasks } from '../core/tasks.js';
import { cellKeys, describeRange, formatValue } from '../experiment/config.js';
import { optimizers } from '../optimizers/index.js';
import { colorFor, plainTable } from '../output/color.js';
import { fmt } from '../output/format.js';
import { toJson } from '../output/records.js';

export function registries() {
  return {
    tasks: [...tasks.values()].map((t) => ({ name: t.name, D: t.D, help: t.help, params: t.params })),
    activations: [...activations.values()].map((a) => ({ name: a.name, gamma: a.gamma, kink: a.kink, help: a.help })),
    features: [...featureMaps.values()].map((f) => ({ name: f.name, help: f.help })),
    inits: [...initNames],
    optimizers: [...optimizers.values()].map((o) => ({ name: o.name, help: o.help, cite: o.cite, options: o.options })),
    keys: cellKeys,
  };
}

export function listCommand(program: Command): void {
  program
    .command('list')
    .description('print the tasks, activations, feature maps, optimizers and config keys')
    .option('--json', 'print the registries as JSON')
    .addHelpText('after', '\nExample:\n  kstep list\n  kstep list --json | jq ".optimizers[].name"')
    .action((opts: { json?: boolean }) => {
      const r = registries();
      if (opts.json) {
        process.stdout.write(toJson(r));
        return;
      }
      const c = colorFor(process.stdout);
      const b = (s: string) => c.bold(s);
      const t = plainTable([b('task'), b('D'), b('parameters (set with task.<name>=v)'), b('what')]);
      for (const x of r.tasks) t.push([x.name, x.D, x.params.map((p) => `${p.name}=${fmt(p.default, 4)}`).join(' '), x.help]);
      const a = plainTable([b('activation'), b('gamma = sup|f\'|'), b('what')]);
      for (const x of r.activations) a.push([x.name, fmt(x.gamma, 6), x.help + (x.kink ? ' (kink at 0)' : '')]);
      const f = plainTable([b('features'), b('what')]);
      for (const x of r.features) f.push([x.name, x.help]);
      const o = plainTable([b('optimizer'), b('options (defaults)'), b('what')], { colWidths: [12, 60, 50], wordWrap: true });
      const range = (s: (typeof r.optimizers)[number]['options'][number]) => (s.kind === 'number' || s.kind === 'int' ? ` (${describeRange(s)})` : '');
      for (const x of r.optimizers) o.push([x.name, x.options.map((s) => `${s.name}=${formatValue(s.default)}${range(s)}`).join(' '), `${x.help}. ${x.cite}`]);
      const k = plainTable([b('key'), b('default'), b('what')]);
      for (const x of r.keys) k.push([x.name, formatValue(x.default), x.help + (x.choices ? ` (${x.choices.join('|')})` : x.kind === 'bool' ? '' : ` (${describeRange(x)})`)]);
      process.stdout.write([t, a, f, o, k].map((x) => x.toString()).join('\n') + `\ninit schemes: ${r.inits.join(', ')}\n`);
    });
}
