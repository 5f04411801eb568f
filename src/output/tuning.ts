/**
 * Tuning: the choice among the settings of an experiment's `tune` section, made on the validation
 * set and never on the test set.
 *
 * The cells of one tuned group share every descriptor but the seed and the tuned options (named in
 * cells.csv's `tune` column); each combination of the tuned options' values is a setting. Per group
 * the setting with the lowest median validation nmse over its seeds is chosen:
 *   - a cell whose val_nmse is not a finite number (it diverged, ended in error, or blew up) counts
 *     as +inf, the worst possible value, so a setting that diverges on most seeds never wins;
 *   - a tie (equal medians, all +inf included) goes to the setting listed first in `tune` (the
 *     grid's order), so list the value to prefer on a tie first.
 * Test nmse is what the summary reports for the chosen setting; it plays no part in the choice.
 */
import { median } from '../stats/index.js';

/** The index of the chosen setting, given each setting's validation nmse over its seeds (in listing order). */
export function chooseSetting(valBySetting: readonly (readonly number[])[]): number {
  let best = -1;
  let bestMedian = Infinity;
  valBySetting.forEach((vals, i) => {
    const m = medianOrInf(vals);
    // Strictly lower only: a tie keeps the earlier setting.
    if (best < 0 || m < bestMedian) {
      best = i;
      bestMedian = m;
    }
  });
  return best;
}

/** The median of values where a non-finite value (or none at all) counts as +inf. */
export function medianOrInf(values: readonly number[]): number {
  if (values.length === 0) return Infinity;
  return median(values.map((x) => (Number.isFinite(x) ? x : Infinity)));
}

/** The tuned options a cells.csv row names (its `tune` column), [] for an untuned cell. */
export function tunedKeys(tuneField: string | undefined): string[] {
  return tuneField ? tuneField.split(' ').filter((k) => k !== '') : [];
}
