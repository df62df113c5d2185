/**
 * A set of named templates sharing functions, delimiters and options, like
 * Go's *template.Template: parse text (which may `define` more templates),
 * then execute the main one or any named one.
 */
import { BUILTINS } from './builtins.js';
import { TemplateExecError } from './errors.js';
import { execute, type MissingKey } from './exec.js';
import { isEmptyTree, parseTemplate, type Tree } from './parse.js';

/** A template function. It must be synchronous; throwing makes the template fail with "error calling NAME: message". */
export type TemplateFunc = (...args: never[]) => unknown;

export interface TemplateOptions {
  readonly leftDelim?: string;
  readonly rightDelim?: string;
  /** Go's missingkey option: "default"/"invalid" print "<no value>", "zero" the same for untyped maps, "error" fails. */
  readonly missingKey?: MissingKey;
  /** Match map keys case-insensitively when there is no exact key (for data whose JSON names differ from Go's field names). */
  readonly foldFieldCase?: boolean;
  readonly funcs?: Readonly<Record<string, TemplateFunc>>;
}

export class Template {
  readonly name: string;
  #leftDelim: string;
  #rightDelim: string;
  #missingKey: MissingKey;
  #foldFieldCase: boolean;
  readonly #funcs = new Map<string, (...args: unknown[]) => unknown>();
  readonly #trees = new Map<string, Tree>();

  constructor(name: string, options: TemplateOptions = {}) {
    this.name = name;
    this.#leftDelim = options.leftDelim || '{{';
    this.#rightDelim = options.rightDelim || '}}';
    this.#missingKey = options.missingKey ?? 'default';
    this.#foldFieldCase = options.foldFieldCase ?? false;
    if (options.funcs) this.funcs(options.funcs);
  }

  /** Adds functions (before parsing text that uses them); a name may replace a built-in. */
  funcs(funcs: Readonly<Record<string, TemplateFunc>>): this {
    for (const [name, fn] of Object.entries(funcs)) {
      if (!/^[\p{L}_][\p{L}\p{Nd}_]*$/u.test(name)) throw new Error(`function name ${JSON.stringify(name)} is not a valid identifier`);
      this.#funcs.set(name, fn as (...args: unknown[]) => unknown);
    }
    return this;
  }

  /** Sets the action delimiters; empty strings mean the defaults. */
  delims(left: string, right: string): this {
    this.#leftDelim = left || '{{';
    this.#rightDelim = right || '}}';
    return this;
  }

  /** Go's Option("missingkey=error") and friends. */
  option(...opts: string[]): this {
    for (const opt of opts) {
      const m = /^missingkey=(default|invalid|zero|error)$/.exec(opt);
      if (!m) throw new Error(`unrecognized option: ${opt}`);
      this.#missingKey = m[1] as MissingKey;
    }
    return this;
  }

  /**
   * Parses text as the body of this template; `define`d and `block` templates
   * join the set. A later definition replaces an earlier one unless it is empty.
   */
  parse(text: string): this {
    const trees = parseTemplate(this.name, text, {
      leftDelim: this.#leftDelim,
      rightDelim: this.#rightDelim,
      hasFunction: (n) => this.#funcs.has(n) || BUILTINS.has(n),
    });
    for (const [name, tree] of trees) {
      const old = this.#trees.get(name);
      if (old && isEmptyTree(tree.root) && !isEmptyTree(old.root)) continue;
      this.#trees.set(name, tree);
    }
    return this;
  }

  /** Names of the templates in the set, sorted. */
  definedTemplates(): string[] {
    return [...this.#trees.keys()].sort();
  }

  has(name: string): boolean {
    return this.#trees.has(name);
  }

  execute(data?: unknown): string {
    return this.executeTemplate(this.name, data);
  }

  executeTemplate(name: string, data?: unknown): string {
    const tree = this.#trees.get(name);
    if (!tree) {
      if (name === this.name) throw new TemplateExecError(`template: ${name}: ${JSON.stringify(name)} is an incomplete or empty template`, name, 0, 0);
      throw new TemplateExecError(`template: no template ${JSON.stringify(name)} associated with template ${JSON.stringify(this.name)}`, name, 0, 0);
    }
    return execute({ trees: this.#trees, funcs: this.#funcs, missingKey: this.#missingKey, foldFieldCase: this.#foldFieldCase }, tree, data);
  }
}
