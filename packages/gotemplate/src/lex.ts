/**
 * The lexer: splits a template into items the way Go's text/template/parse
 * lexer does (text, delimiters, trim markers, comments, and the tokens inside
 * actions). It produces the whole item list up front; an error becomes an
 * `error` item and ends the list.
 */

export type ItemType =
  | 'error'
  | 'eof'
  | 'text'
  | 'comment'
  | 'leftDelim'
  | 'rightDelim'
  | 'space'
  | 'bool'
  | 'char'
  | 'charConstant'
  | 'assign'
  | 'declare'
  | 'field'
  | 'identifier'
  | 'leftParen'
  | 'rightParen'
  | 'number'
  | 'pipe'
  | 'rawString'
  | 'string'
  | 'variable'
  | 'dot'
  | 'nil'
  | 'comma'
  | 'keyword';

export interface Item {
  readonly type: ItemType;
  /** The item's text; for errors, the message. */
  readonly val: string;
  /** Byte offset (UTF-16 code unit offset here) of the item in the input. */
  readonly pos: number;
  /** 1-based line the item starts on. */
  readonly line: number;
}

export const KEYWORDS: ReadonlySet<string> = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'template', 'with']);

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlnum = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{Nd}_]/u.test(c);
const trimRightSpace = (s: string): string => s.replace(/[ \t\r\n]+$/, '');

/** Renders an item for an "unexpected X" message as Go's item.String does. */
export function describeItem(item: Item): string {
  switch (item.type) {
    case 'eof':
      return 'EOF';
    case 'error':
      return item.val;
    case 'keyword':
      return `<${item.val}>`;
    default:
      return item.val.length > 10 ? `${goQuote(item.val.slice(0, 10))}...` : goQuote(item.val);
  }
}

/** Go's %q of a string (strconv.Quote), enough for messages and printf. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\v') out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c === 0xfffd || /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}]/u.test(ch))
      out += c > 0xffff ? `\\U${c.toString(16).padStart(8, '0')}` : `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

export function lex(input: string, leftDelim = '{{', rightDelim = '}}'): Item[] {
  const left = leftDelim === '' ? '{{' : leftDelim;
  const right = rightDelim === '' ? '}}' : rightDelim;
  const items: Item[] = [];
  let pos = 0;
  let start = 0;
  let line = 1;
  let startLine = 1;
  let parenDepth = 0;
  let insideAction = false;

  const emit = (type: ItemType, val = input.slice(start, pos)): void => {
    items.push({ type, val, pos: start, line: startLine });
    start = pos;
    startLine = line;
  };
  const advanceTo = (to: number): void => {
    for (let i = pos; i < to; i++) if (input[i] === '\n') line++;
    pos = to;
  };
  const ignore = (): void => {
    start = pos;
    startLine = line;
  };
  const fail = (message: string): false => {
    items.push({ type: 'error', val: message, pos: start, line: startLine });
    return false;
  };
  /** At a right delimiter, optionally preceded by the " -" trim marker? */
  const atRightDelim = (): { delim: boolean; trim: boolean } => {
    if (isSpace(input[pos]) && input[pos + 1] === '-' && input.startsWith(right, pos + 2)) return { delim: true, trim: true };
    if (input.startsWith(right, pos)) return { delim: true, trim: false };
    return { delim: false, trim: false };
  };
  const skipLeadingSpace = (): void => {
    let i = pos;
    while (isSpace(input[i])) i++;
    advanceTo(i);
    ignore();
  };

  /** Lexes the text before the next left delimiter and the delimiter itself. Returns false at EOF or error. */
  const lexText = (): boolean => {
    const at = input.indexOf(left, pos);
    if (at === -1) {
      advanceTo(input.length);
      if (pos > start) emit('text');
      items.push({ type: 'eof', val: '', pos, line });
      return false;
    }
    advanceTo(at);
    const trim = input[at + left.length] === '-' && isSpace(input[at + left.length + 1]);
    if (pos > start) {
      const text = trim ? trimRightSpace(input.slice(start, pos)) : input.slice(start, pos);
      if (text !== '') items.push({ type: 'text', val: text, pos: start, line: startLine });
      ignore();
    }
    return lexLeftDelim(trim);
  };

  const lexLeftDelim = (trim: boolean): boolean => {
    advanceTo(pos + left.length);
    const after = trim ? 2 : 0;
    if (input.startsWith('/*', pos + after)) {
      // A comment: emit the delimiter only as part of the comment handling.
      advanceTo(pos + after);
      ignore();
      return lexComment();
    }
    emit('leftDelim', left);
    advanceTo(pos + after);
    ignore();
    parenDepth = 0;
    insideAction = true;
    return true;
  };

  const lexComment = (): boolean => {
    const end = input.indexOf('*/', pos + 2);
    if (end === -1) return fail('unclosed comment');
    advanceTo(end + 2);
    const { delim, trim } = atRightDelim();
    if (!delim) return fail('comment ends before closing delimiter');
    emit('comment');
    if (trim) advanceTo(pos + 2);
    advanceTo(pos + right.length);
    ignore();
    if (trim) skipLeadingSpace();
    return true;
  };

  const lexRightDelim = (trim: boolean): boolean => {
    if (trim) {
      advanceTo(pos + 2);
      ignore();
    }
    advanceTo(pos + right.length);
    emit('rightDelim', right);
    if (trim) skipLeadingSpace();
    insideAction = false;
    return true;
  };

  /** Lexes one token inside an action. */
  const lexInsideAction = (): boolean => {
    const { delim, trim } = atRightDelim();
    if (delim) {
      if (parenDepth === 0) return lexRightDelim(trim);
      return fail('unclosed left paren');
    }
    const c = input[pos];
    if (c === undefined) return fail('unclosed action');
    if (isSpace(c)) {
      let i = pos;
      while (isSpace(input[i])) {
        // A space before " -}}" belongs to the trim marker.
        if (isSpace(input[i]) && input[i + 1] === '-' && input.startsWith(right, i + 2)) break;
        i++;
      }
      advanceTo(i);
      emit('space');
      return true;
    }
    if (c === '=') {
      advanceTo(pos + 1);
      emit('assign');
      return true;
    }
    if (c === ':') {
      if (input[pos + 1] !== '=') return fail('expected :=');
      advanceTo(pos + 2);
      emit('declare');
      return true;
    }
    if (c === '|') {
      advanceTo(pos + 1);
      emit('pipe');
      return true;
    }
    if (c === '"') return lexQuoted('"', 'string', 'unterminated quoted string');
    if (c === '`') return lexRawQuote();
    if (c === "'") return lexQuoted("'", 'charConstant', 'unterminated character constant');
    if (c === '$') return lexVariable();
    if (c === '.') {
      const n = input[pos + 1];
      if (n === undefined || n < '0' || n > '9') return lexFieldOrDot();
      return lexNumber();
    }
    if (c === '+' || c === '-' || (c >= '0' && c <= '9')) return lexNumber();
    if (isAlnum(c)) return lexIdentifier();
    if (c === '(') {
      advanceTo(pos + 1);
      emit('leftParen');
      parenDepth++;
      return true;
    }
    if (c === ')') {
      advanceTo(pos + 1);
      emit('rightParen');
      parenDepth--;
      if (parenDepth < 0) return fail("unexpected right paren U+0029 ')'");
      return true;
    }
    if (c === ',') {
      advanceTo(pos + 1);
      emit('comma');
      return true;
    }
    const cp = c.codePointAt(0) as number;
    if (cp <= 0x7f && /[\x21-\x7e]/.test(c)) {
      advanceTo(pos + 1);
      emit('char');
      return true;
    }
    return fail(`unrecognized character in action: ${goRune(input.codePointAt(pos) as number)}`);
  };

  const atTerminator = (): boolean => {
    const c = input[pos];
    if (c === undefined || isSpace(c) || '.,|:()='.includes(c)) return true;
    return input.startsWith(right, pos);
  };

  const lexIdentifier = (): boolean => {
    let i = pos;
    while (isAlnum(input[i])) i++;
    advanceTo(i);
    if (!atTerminator()) return fail(`bad character ${goRune(input.codePointAt(pos) as number)}`);
    const word = input.slice(start, pos);
    if (KEYWORDS.has(word)) emit('keyword');
    else if (word === 'true' || word === 'false') emit('bool');
    else if (word === 'nil') emit('nil');
    else emit('identifier');
    return true;
  };

  const lexFieldOrDot = (): boolean => {
    if (!isAlnum(input[pos + 1])) {
      advanceTo(pos + 1);
      emit('dot');
      return true;
    }
    let i = pos + 1;
    while (isAlnum(input[i])) i++;
    advanceTo(i);
    if (!atTerminator()) return fail(`bad character ${goRune(input.codePointAt(pos) as number)}`);
    emit('field');
    return true;
  };

  const lexVariable = (): boolean => {
    let i = pos + 1;
    while (isAlnum(input[i])) i++;
    advanceTo(i);
    if (!atTerminator()) return fail(`bad character ${goRune(input.codePointAt(pos) as number)}`);
    emit('variable');
    return true;
  };

  /** A "string" or 'char' literal: backslash escapes, no newline. */
  const lexQuoted = (quote: string, type: ItemType, unterminated: string): boolean => {
    let i = pos + 1;
    for (;;) {
      const c = input[i];
      if (c === '\\' && input[i + 1] !== undefined && input[i + 1] !== '\n') {
        i += 2;
        continue;
      }
      if (c === undefined || c === '\n' || c === '\\') {
        advanceTo(i);
        return fail(unterminated);
      }
      if (c === quote) break;
      i++;
    }
    advanceTo(i + 1);
    emit(type);
    return true;
  };

  const lexRawQuote = (): boolean => {
    const end = input.indexOf('`', pos + 1);
    if (end === -1) return fail('unterminated raw quoted string');
    advanceTo(end + 1);
    emit('rawString');
    return true;
  };

  const lexNumber = (): boolean => {
    const m = /^[+-]?(?:0[xX][0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?[0-9_]+)?|0[oO][0-7_]*|0[bB][01_]*|[0-9_]*\.?[0-9_]*(?:[eE][+-]?[0-9_]+)?)i?/.exec(input.slice(pos));
    const len = m ? m[0].length : 0;
    advanceTo(pos + len);
    if (!m || !/[0-9]/.test(m[0]) || isAlnum(input[pos])) {
      advanceTo(pos + 1);
      return fail(`bad number syntax: ${goQuote(input.slice(start, pos))}`);
    }
    emit('number');
    return true;
  };

  for (;;) {
    const ok = insideAction ? lexInsideAction() : lexText();
    if (!ok) break;
  }
  return items;
}

/** Go's %#U of a rune: U+0023 '#'. */
function goRune(cp: number): string {
  const hex = cp.toString(16).toUpperCase().padStart(4, '0');
  return cp >= 0x20 && cp !== 0x7f ? `U+${hex} '${String.fromCodePoint(cp)}'` : `U+${hex}`;
}
