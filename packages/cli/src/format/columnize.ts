/**
 * Column alignment as Consul's tables print it (ryanuber/columnize): cells
 * trimmed, each column padded to its widest cell, joined by two spaces, the
 * last cell of a line unpadded, no trailing newline.
 */
export function columnize(rows: ReadonlyArray<readonly string[]>, glue = '  '): string {
  const cells = rows.map((row) => row.map((cell) => cell.trim()));
  const widths: number[] = [];
  for (const row of cells) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, textWidth(cell));
    });
  }
  return cells.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - textWidth(cell)) + glue)).join('')).join('\n');
}

/** Width in characters (code points), as Go's fmt counts runes. */
export function textWidth(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
