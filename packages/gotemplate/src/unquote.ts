/** Go's strconv.Unquote for "double-quoted", `raw` and 'char' literals. */

const SIMPLE: Readonly<Record<string, string>> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"' };

export function unquote(quoted: string): string {
  const q = quoted[0];
  if (quoted.length < 2 || quoted[quoted.length - 1] !== q) throw new SyntaxError('invalid syntax');
  const body = quoted.slice(1, -1);
  if (q === '`') {
    if (body.includes('`')) throw new SyntaxError('invalid syntax');
    return body.replace(/\r/g, '');
  }
  if (q !== '"' && q !== "'") throw new SyntaxError('invalid syntax');
  let out = '';
  let bytes: number[] = [];
  const flushBytes = (): void => {
    if (bytes.length > 0) out += Buffer.from(bytes).toString('utf8');
    bytes = [];
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === q || c === '\n') throw new SyntaxError('invalid syntax');
    if (c !== '\\') {
      flushBytes();
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) throw new SyntaxError('invalid syntax');
    const simple = SIMPLE[e];
    if (simple !== undefined) {
      if ((e === "'" && q === '"') || (e === '"' && q === "'")) throw new SyntaxError('invalid syntax');
      flushBytes();
      out += simple;
      continue;
    }
    const hexLen = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hexLen > 0) {
      const hex = body.slice(i + 1, i + 1 + hexLen);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(hex)) throw new SyntaxError('invalid syntax');
      i += hexLen;
      const n = Number.parseInt(hex, 16);
      if (e === 'x') bytes.push(n);
      else {
        if (n > 0x10ffff || (n >= 0xd800 && n < 0xe000)) throw new SyntaxError('invalid syntax');
        flushBytes();
        out += String.fromCodePoint(n);
      }
      continue;
    }
    if (e >= '0' && e <= '7') {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) throw new SyntaxError('invalid syntax');
      const n = Number.parseInt(oct, 8);
      if (n > 255) throw new SyntaxError('invalid syntax');
      bytes.push(n);
      i += 2;
      continue;
    }
    throw new SyntaxError('invalid syntax');
  }
  flushBytes();
  return out;
}
