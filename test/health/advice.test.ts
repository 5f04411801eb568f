// The one sentence of diagnosis of `kstep advise`, a function of the health numbers.
import { describe, expect, it } from 'vitest';
import { type HealthNumbers, diagnosisSentence } from '../../src/health/advice.js';

const vanishing: HealthNumbers = { ratio: 2e-6, rate: Math.log(2e-6) / 16, snr: 1.5, lyapNet: -0.6, pascanu: 0.7, label: 'vanishing' };
const healthy: HealthNumbers = { ratio: 0.3, rate: Math.log(0.3) / 16, snr: 0.9, lyapNet: -0.05, pascanu: 2.1, label: 'healthy' };
const exploding: HealthNumbers = { ratio: 3e5, rate: Math.log(3e5) / 16, snr: 0.03, lyapNet: 0.5, pascanu: 4, label: 'exploding' };
const noise = 1 / Math.sqrt(31);

describe('diagnosis sentence', () => {
  it('quotes the vanishing ratio and Pascanu bound at init, and the recovery after training', () => {
    const s = diagnosisSentence(16, vanishing, healthy, 'bptt+ramp', NaN, noise);
    expect(s).toBe(
      "At initialisation the gradient vanishes through the 16 steps (||a_0||/||a_K|| = 2.0e-6, -0.82 per step), as Pascanu's bound 0.7 < 1 guarantees; " +
        'after training (bptt+ramp) the gradient reaches o_0 (||a_0||/||a_K|| = 0.3, -0.075 per step).',
    );
  });

  it('names the net contraction when the bound does not prove vanishing', () => {
    expect(diagnosisSentence(16, { ...vanishing, pascanu: 1.3 }, undefined, '', NaN, noise)).toContain("the net's map contracting at -0.6 per step");
  });

  it('says a chaotic task forces exploding gradients, and flags an SNR at the level of noise', () => {
    const s = diagnosisSentence(16, healthy, exploding, 'bptt', 0.49, noise);
    expect(s).toContain('the task is chaotic (Lyapunov exponent 0.49 per step)');
    expect(s).toContain('after training (bptt) the gradient explodes through the 16 steps (||a_0||/||a_K|| = 3.0e5');
    expect(s).toContain('with a gradient SNR of 0.03, no better than noise (0.18)');
  });

  it('says when training left the regime as it was', () => {
    expect(diagnosisSentence(16, vanishing, vanishing, 'bptt', -0.05, noise)).toContain('the task contracts (Lyapunov exponent -0.05 per step); after training (bptt) the gradient vanishes');
    expect(diagnosisSentence(16, vanishing, vanishing, 'bptt', -0.05, noise)).toContain('so training did not change the regime');
  });

  it('leaves out the task exponent when it is not available, and is one sentence', () => {
    const s = diagnosisSentence(8, { ...healthy, label: 'nonfinite' }, healthy, 'ga', NaN, noise);
    expect(s).not.toContain('task');
    expect(s).toContain('the loss or its gradient is not finite');
    expect(s.match(/\./g)!.length).toBeGreaterThan(0);
    expect(s.endsWith('.')).toBe(true);
    expect(s.slice(0, -1)).not.toMatch(/\.\s+[A-Z]/);
  });

  it('changes with the numbers', () => {
    expect(diagnosisSentence(16, vanishing, healthy, 'bptt', NaN, noise)).not.toBe(diagnosisSentence(16, healthy, healthy, 'bptt', NaN, noise));
  });
});
