/** Go's flag syntax and time.Duration strings: the one implementation every package uses. */
export { FlagError, parseGoFlags } from './flags.js';
export type { FlagKind, FlagSpec, FlagSpecs, FlagValue, ParsedFlags } from './flags.js';
export {
  durationFromJson,
  durationNanosText,
  formatDuration,
  goDurationError,
  parseDuration,
  parseGoDuration,
} from './duration.js';
