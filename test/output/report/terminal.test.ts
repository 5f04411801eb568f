// The terminal sparklines of `kstep summarize`: one line per optimizer and K, one shared scale.
import { describe, expect, it } from 'vitest';
import { loadResults } from '../../../src/output/report/data.js';
import { curveSparklines } from '../../../src/output/report/terminal.js';
import { Ks, OPTS, writeFixture } from './fixture.js';

describe('curveSparklines', () => {
  const text = curveSparklines(loadResults(writeFixture()), 24);
  const lines = text.trimEnd().split('\n');

  it('has a header and one line per optimizer and K, in order', () => {
    expect(lines[0]).toMatch(/^Median train nmse against cost \(log-log, cost 100\.\.1e5; one scale: ▁ .* \.\. █ .*\), over seeds and activation:$/);
    expect(lines).toHaveLength(1 + OPTS.length * Ks.length);
    expect(lines.slice(1).map((l) => l.trim().split(/\s+/).slice(0, 2).join(' '))).toEqual(OPTS.flatMap((o) => Ks.map((K) => `${o} K=${K}`)));
  });

  it('draws width characters per line, falling for bptt', () => {
    for (const l of lines.slice(1)) {
      const bars = l.trim().split(/\s+/)[2];
      expect([...bars]).toHaveLength(24);
    }
    const bptt1 = lines[1].trim().split(/\s+/)[2];
    expect(bptt1[0]).toBe('█');
    expect(bptt1[bptt1.length - 1]).toBe('▁');
  });

  it('marks medians that blew up with a dot', () => {
    const data = loadResults(writeFixture());
    // Only the configuration with two diverged seeds of three is left for bptt at K = 4.
    for (const c of data.cells) if (c.desc.optimizer === 'bptt' && c.desc.K === '4' && c.desc.activation === 'tanh') data.curves.delete(c.id);
    const line = curveSparklines(data, 24).split('\n')[2];
    expect(line).toMatch(/bptt K=4\s+█[^\s·]*·+\s+-> ∞ {2}\(3 cells\)$/);
  });

  it('is empty without curves', () => {
    const data = loadResults(writeFixture());
    data.curves.clear();
    expect(curveSparklines(data)).toBe('');
  });
});
