export { parseGoFlags, FlagError } from './go-flags.js';
export type { FlagKind, FlagSpec, FlagSpecs, FlagValue, ParsedFlags } from './go-flags.js';
