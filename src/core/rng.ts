/**
 * Seeded random streams. Every random draw in kstep comes from an Rng; the unseeded global generator is
 * never used.
 * A stream is identified by a string, so a cell's streams depend only on (seed, purpose), never on
 * the order in which cells run or on which worker runs them.
 */
import seedrandom from 'seedrandom';

export class Rng {
  private readonly next: () => number;
  // Box-Muller yields normals in pairs; the spare is kept so that the stream stays a pure function of the seed.
  private spare = NaN;

  constructor(readonly id: string) {
    // xor4096: long period, accepts string seeds, several times faster than the default ARC4.
    this.next = seedrandom.xor4096(id).double;
  }

  /** Uniform on [0, 1) with 53 random bits. */
  uniform(): number {
    return this.next();
  }

  /** Uniform on [lo, hi). */
  between(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal. */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const z = this.spare;
      this.spare = NaN;
      return z;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    const phi = 2 * Math.PI * this.next();
    this.spare = r * Math.sin(phi);
    return r * Math.cos(phi);
  }

  /** Integer uniform on [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Fills `out` with N(0, scale^2) draws. */
  fillNormal(out: Float64Array, scale = 1): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = scale * this.normal();
    return out;
  }

  /** An independent child stream for a named purpose. */
  derive(key: string): Rng {
    return new Rng(`${this.id}/${key}`);
  }
}

/** The stream for `key` under a root seed: `derive(1, 'init')` is the same stream in every run. */
export function derive(seed: number | string, key: string): Rng {
  return new Rng(`kstep:${seed}`).derive(key);
}
