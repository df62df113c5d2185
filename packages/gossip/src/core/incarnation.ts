/**
 * Incarnation numbers are unsigned 32-bit on the wire, as memberlist's, and compared as serial
 * numbers (RFC 1982): `a` is newer than `b` when it is ahead by less than half the space, so the
 * count wraps instead of running out. A refutation is the accused incarnation plus one (modulo
 * 2^32): always encodable, so no accusation, however large its incarnation, leaves a member
 * unable to clear its name. (Before, a forged `dead` at 2^53-1 forced a refutation at 2^53 that no
 * decoder accepted, evicting the member for good.)
 *
 * An accusation (`suspect`, `dead`) is believed only when it is at most a quarter of the space
 * ahead of the incarnation we know. So a refutation is at most a quarter ahead of what any member
 * that did not hear the accusation knows, and is newer for them too. Real incarnations move by
 * one per refutation or tag change; only a forger jumps that far.
 */
export const MAX_INCARNATION = 0xffff_ffff;

const SPACE = 2 ** 32;
const HALF = 2 ** 31;
const QUARTER = 2 ** 30;

function ahead(a: number, b: number): number {
  return (a - b + SPACE) % SPACE;
}

/** `a` is newer than `b` in serial-number order. */
export function incNewer(a: number, b: number): boolean {
  const d = ahead(a, b);
  return d !== 0 && d < HALF;
}

/** An accusation at `accused` about a member we know at `known` is believable: not older, not a quarter ahead. */
export function accusationBelievable(accused: number, known: number): boolean {
  return ahead(accused, known) < QUARTER;
}

/** `a` is the same as or newer than `b`. */
export function incAtLeast(a: number, b: number): boolean {
  return a === b || incNewer(a, b);
}

/** The next incarnation after `n` (wraps at 2^32). */
export function nextIncarnation(n: number): number {
  return (n + 1) % SPACE;
}

/** The incarnation that refutes an accusation at `accused`, given ours: newer than both. */
export function refutingIncarnation(own: number, accused: number): number {
  return nextIncarnation(incNewer(accused, own) ? accused : own);
}
