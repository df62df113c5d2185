/**
 * Preloaded with `node --import` (through NODE_OPTIONS): registers module hooks that append
 * every resolved module URL, one a line, to the file named by CONCORD_MODULE_LOG.
 */
import { register } from 'node:module';

register(new URL('./_record-modules-hooks.js', import.meta.url));
