/**
 * Statistics for comparisons over seeds: the median and its percentile-bootstrap interval, the
 * Wilcoxon signed-rank test of paired differences, and Holm's adjustment for multiple tests. Pure
 * functions; random draws only from the Rng passed in.
 */
export { type BootstrapOptions, bootstrapMedianCI } from './bootstrap.js';
export { erfc } from './erfc.js';
export { holm } from './holm.js';
export { median, quantile } from './quantile.js';
export { EXACT_MAX_N, type WilcoxonResult, wilcoxon } from './wilcoxon.js';
