/** Tag lists as registrator writes them in `SERVICE_TAGS` and `-tags`. */

/**
 * Splits on commas that are not escaped: `a,b\,c` → `["a", "b,c"]`. Empty
 * elements are dropped; whitespace is kept; the order is kept (registrator
 * master reverses it).
 */
export function splitTags(list: string): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < list.length; i++) {
    const ch = list[i] as string;
    if (ch === '\\' && list[i + 1] === ',') {
      current += ',';
      i++;
    } else if (ch === ',') {
      out.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  out.push(current);
  return out.filter((t) => t !== '');
}

/** Concatenates tag lists, dropping repeats and keeping the first position of each tag. */
export function combineTags(...lists: ReadonlyArray<readonly string[]>): string[] {
  return [...new Set(lists.flat())];
}
