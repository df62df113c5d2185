import type { Model } from './linearizability.js';

/** Operations on named registers holding numbers (null when never written). */
export type RegisterInput =
  | { readonly kind: 'read'; readonly key: string }
  | { readonly kind: 'write'; readonly key: string; readonly value: number }
  | { readonly kind: 'cas'; readonly key: string; readonly from: number | null; readonly to: number };

/** read → the value; write → true; cas → whether it swapped. */
export type RegisterOutput = number | null | boolean;

/** A single register per partition: the history is split by key. */
export const registerModel: Model<number | null, RegisterInput, RegisterOutput> = {
  init: () => null,
  step(state, input, output) {
    switch (input.kind) {
      case 'read':
        return { ok: output === undefined || output === state, next: state };
      case 'write':
        return { ok: true, next: input.value };
      case 'cas': {
        const matches = state === input.from;
        if (output === undefined) return { ok: true, next: matches ? input.to : state };
        if (output === true) return { ok: matches, next: matches ? input.to : state };
        return { ok: !matches, next: state };
      }
    }
  },
  key: (s) => String(s),
  partition: (input) => input.key,
};
