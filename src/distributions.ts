/**
 * Request distributions of the mixed (YCSB-style) workloads: which record an operation
 * touches. Every generator draws from one xoshiro128** stream (src/keyspace.ts), so a run
 * is reproducible; docs/keyspace.md specifies the formulas and test/vectors/distributions.json
 * holds vectors.
 *
 * The zipfian generator is Gray et al.'s ("Quickly generating billion-record synthetic
 * databases", 1994), the one YCSB uses, computed in IEEE-754 double precision.
 */
import { Xoshiro128, mix32 } from './keyspace.js';

export type DistributionName = 'uniform' | 'zipfian' | 'latest' | 'hotspot';
export const DISTRIBUTIONS: readonly DistributionName[] = ['uniform', 'zipfian', 'latest', 'hotspot'];

/** A uniform double in [0, 1) with 53 random bits: two outputs, high 27 and 26 bits. */
export function nextDouble(rng: Xoshiro128): number {
  const hi = rng.next() >>> 5;
  const lo = rng.next() >>> 6;
  return (hi * 67108864 + lo) / 9007199254740992;
}

/** Sum of 1/i^theta for i = from+1 .. to. */
function zetaRange(from: number, to: number, theta: number): number {
  let sum = 0;
  for (let i = from + 1; i <= to; i++) sum += 1 / Math.pow(i, theta);
  return sum;
}

/**
 * Ranks 0..n-1, rank 0 the most popular, P(rank r) proportional to 1/(r+1)^theta.
 * `grow(n)` extends the item count incrementally (for `latest`, as records are inserted).
 */
export class Zipfian {
  private n = 0;
  private zetan = 0;
  private readonly zeta2: number;
  private readonly alpha: number;
  private eta = 0;
  constructor(
    n: number,
    private readonly theta: number,
  ) {
    if (!(theta > 0 && theta < 1)) throw new RangeError('the zipfian constant must be between 0 and 1 (exclusive)');
    this.zeta2 = 1 + 1 / Math.pow(2, theta);
    this.alpha = 1 / (1 - theta);
    this.grow(n);
  }
  get items(): number {
    return this.n;
  }
  grow(n: number): void {
    if (n < this.n) throw new RangeError('a zipfian distribution only grows');
    if (n === this.n) return;
    this.zetan += zetaRange(this.n, n, this.theta);
    this.n = n;
    this.eta = (1 - Math.pow(2 / n, 1 - this.theta)) / (1 - this.zeta2 / this.zetan);
  }
  rank(u: number): number {
    const uz = u * this.zetan;
    if (uz < 1) return 0;
    if (uz < 1 + Math.pow(0.5, this.theta)) return 1;
    const r = Math.floor(this.n * Math.pow(this.eta * u - this.eta + 1, this.alpha));
    return r < this.n ? r : this.n - 1;
  }
}

export interface DistributionParams {
  readonly zipfianConstant: number;
  /** hotspot: the share of records that are hot (the lowest keys), and the share of operations that go to them. */
  readonly hotsetFraction: number;
  readonly hotOperationFraction: number;
}

/** Picks record indexes among the `count()` records that exist when it is asked. */
export interface KeyChooser {
  next(count: number): number;
}

export function keyChooser(name: DistributionName, rng: Xoshiro128, initialCount: number, params: DistributionParams): KeyChooser {
  switch (name) {
    case 'uniform':
      return { next: (count) => rng.below(count) };
    case 'zipfian': {
      // Scrambled: the popular ranks are spread over the keyspace by a bijective hash,
      // so hot records are not neighbours (which would favour caches and sequential layouts).
      const z = new Zipfian(initialCount, params.zipfianConstant);
      return {
        next(count) {
          if (count > z.items) z.grow(count);
          return mix32(z.rank(nextDouble(rng))) % count;
        },
      };
    }
    case 'latest': {
      // The most recently inserted record is the most popular.
      const z = new Zipfian(initialCount, params.zipfianConstant);
      return {
        next(count) {
          if (count > z.items) z.grow(count);
          return count - 1 - z.rank(nextDouble(rng));
        },
      };
    }
    case 'hotspot':
      return {
        next(count) {
          const hot = Math.max(1, Math.floor(count * params.hotsetFraction));
          if (nextDouble(rng) < params.hotOperationFraction || hot >= count) return rng.below(hot);
          return hot + rng.below(count - hot);
        },
      };
  }
}
