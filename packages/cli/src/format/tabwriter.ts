import { textWidth } from './columnize.js';

/**
 * Go's text/tabwriter with the settings Consul's commands use
 * (minwidth 0, padding 6, space padding): every cell but the last of a row
 * ends in a tab and is padded to its column's widest cell plus six spaces.
 * Rows of equal length are assumed (one column block). Lines are joined
 * with `\n`; no trailing newline is added.
 */
export function tabwrite(rows: ReadonlyArray<readonly string[]>, padding = 6): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (let i = 0; i < row.length - 1; i++) {
      widths[i] = Math.max(widths[i] ?? 0, textWidth(row[i] as string) + padding);
    }
  }
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - textWidth(cell)))).join('')).join('\n');
}
