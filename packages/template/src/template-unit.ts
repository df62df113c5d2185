/**
 * One configured template: its text (from `source` or `contents`) compiled
 * once with the Go engine and consul-template's functions, rendered against
 * the data fetched so far.
 */
import { readFileSync, statSync } from 'node:fs';
import { Template } from '@concord/gotemplate';
import type { TemplateConfig } from './config.js';
import { ConfigError } from './config.js';
import { consulFuncs, type RenderContext } from './funcs.js';
import { helperFuncs, Scratch } from './helpers.js';
import type { Dependency } from './dependencies.js';

/** Largest template source read. */
const MAX_TEMPLATE_BYTES = 4 * 1024 * 1024;

export interface Render {
  /** The output; meaningful only when `complete`. */
  readonly output: string;
  /** Every dependency the render read. */
  readonly used: ReadonlyMap<string, Dependency>;
  /** Why the output may not be written yet (data not arrived, key missing, ...). */
  readonly missing: readonly string[];
}

export interface DataSource {
  lookup(dep: Dependency): { readonly ok: boolean; readonly value?: unknown };
}

export class TemplateUnit {
  readonly config: TemplateConfig;
  readonly #template: Template;
  #context: RenderContext | undefined;

  constructor(
    config: TemplateConfig,
    readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.config = config;
    const text = config.contents ?? readSource(config.source as string);
    const name = config.source ?? config.destination;
    const template = new Template(name, {
      ...(config.leftDelimiter ? { leftDelim: config.leftDelimiter } : {}),
      ...(config.rightDelimiter ? { rightDelim: config.rightDelimiter } : {}),
      missingKey: config.errorOnMissingKey ? 'error' : 'default',
    });
    template.funcs(helperFuncs());
    template.funcs(
      consulFuncs(() => {
        if (!this.#context) throw new Error('template function called outside a render');
        return this.#context;
      }),
    );
    this.#template = template.parse(text);
  }

  /** Renders with the data `source` has now. Throws the engine's error for a failing template. */
  render(source: DataSource): Render {
    const used = new Map<string, Dependency>();
    const missing: string[] = [];
    const previous = this.#context;
    this.#context = {
      lookup: (dep) => {
        used.set(dep.key, dep);
        return source.lookup(dep);
      },
      incomplete: (reason) => void missing.push(reason),
      env: this.env,
      executeTemplate: (name, data) => this.#template.executeTemplate(name, data),
      scratch: new Scratch(),
    };
    try {
      const output = this.#template.execute(undefined);
      return { output, used, missing };
    } finally {
      this.#context = previous;
    }
  }
}

function readSource(path: string): string {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new ConfigError(`template source ${path}: no such file`);
  }
  if (size > MAX_TEMPLATE_BYTES) throw new ConfigError(`template source ${path} is larger than ${MAX_TEMPLATE_BYTES} bytes`);
  return readFileSync(path, 'utf8');
}
