/** The one ordering of the Monitoring page's tables. */

/**
 * Sorts `rows` in place by `valueOf`; ties by `weightOf` when given (heaviest first), then by `tieOf`
 * (ascending) so rows keep their place from one poll or snapshot to the next; returns `rows`.
 */
export function sortRows<T>(
  rows: T[],
  valueOf: (row: T) => string | number,
  options: {
    readonly isDescending: boolean;
    readonly tieOf: (row: T) => string;
    readonly weightOf?: (row: T) => number;
  },
): T[] {
  const sign = options.isDescending ? -1 : 1;
  const { tieOf, weightOf } = options;
  return rows.sort((a, b) => {
    const x = valueOf(a);
    const y = valueOf(b);
    return (x < y ? -sign : x > y ? sign : 0) || (weightOf ? weightOf(b) - weightOf(a) : 0) ||
      (tieOf(a) < tieOf(b) ? -1 : 1);
  });
}
