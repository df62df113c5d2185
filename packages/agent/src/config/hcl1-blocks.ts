/**
 * Consul reads its HCL files with HCL 1, which takes block bodies written on one line with
 * commas between the items (`ports { http = -1, https = 8501 }`) and blocks nested on one line
 * (`tls { defaults { verify_incoming = true } }`); HCL 2 refuses both. `splitOneLineBlocks`
 * rewrites a file so that every block's `{` and `}` end and start a line and the commas between
 * a block's items become line breaks, and a quoted argument name that is a plain identifier
 * (`"zone" = "a"`, which HCL 1 takes) loses its quotes. Object and list values (after `=`),
 * strings, comments and heredocs are left as they are. The HCL reader uses it only when a file fails to parse as is.
 */

type Frame = 'block' | 'object' | 'list' | 'paren';

export function splitOneLineBlocks(src: string): string {
  let out = '';
  const stack: Frame[] = [];
  /** Whether the statement being read in the current block body has had its `=` yet. */
  let assigned = false;
  const inBlockBody = (): boolean => stack.length === 0 || stack[stack.length - 1] === 'block';
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    const next = src[i + 1] ?? '';
    // Comments run to the end of the line (or of /* */), strings to their closing quote.
    if (c === '#' || (c === '/' && next === '/')) {
      const end = src.indexOf('\n', i);
      const stop = end < 0 ? src.length : end;
      out += src.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      out += src.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let depth = 0;
      while (j < src.length) {
        const d = src[j];
        if (d === '\\') j += 2;
        else if ((d === '$' || d === '%') && src[j + 1] === '{') {
          depth++;
          j += 2;
        } else if (d === '}' && depth > 0) {
          depth--;
          j++;
        } else if (d === '"' && depth === 0) break;
        else j++;
      }
      const quoted = src.slice(i, j + 1);
      const name = /^"([A-Za-z_][A-Za-z0-9_-]*)"$/.exec(quoted)?.[1];
      const atStatementStart = inBlockBody() && !assigned && /(^|[\n{])[ \t]*$/.test(out);
      out += name && atStatementStart && /^[ \t]*=/.test(src.slice(j + 1)) ? name : quoted;
      i = j + 1;
      continue;
    }
    if (c === '<' && next === '<') {
      const m = /^<<-?([A-Za-z_][A-Za-z0-9_]*)\r?\n/.exec(src.slice(i));
      if (m) {
        const end = new RegExp(`\\n[ \\t]*${m[1]}[ \\t]*(?=\\r?\\n|$)`).exec(src.slice(i + m[0].length - 1));
        const stop = end ? i + m[0].length - 1 + end.index + end[0].length : src.length;
        out += src.slice(i, stop);
        i = stop;
        continue;
      }
    }
    if (inBlockBody()) {
      if (c === '=') assigned = true;
      if (c === '\n') assigned = false;
      if (c === '{' && !assigned) {
        stack.push('block');
        out += '{\n';
        i++;
        continue;
      }
      if (c === '}' && stack.length > 0) {
        stack.pop();
        out += '\n}\n';
        assigned = false;
        i++;
        continue;
      }
      if (c === ',' && stack.length > 0) {
        out += '\n';
        assigned = false;
        i++;
        continue;
      }
    }
    if (c === '{') stack.push('object');
    else if (c === '[') stack.push('list');
    else if (c === '(') stack.push('paren');
    else if ((c === '}' || c === ']' || c === ')') && stack.length > 0) stack.pop();
    out += c;
    i++;
  }
  return out;
}
