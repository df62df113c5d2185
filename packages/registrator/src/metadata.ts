/**
 * `SERVICE_*` settings of one port of a container, from its environment and
 * labels (registrator's `serviceMetaData`):
 * - keys are the lower-cased rest after `SERVICE_` (`SERVICE_CHECK_HTTP` → `check_http`);
 * - `SERVICE_<port>_<key>` applies to that exposed port only and beats the generic key;
 * - later entries win, and labels come after the environment, so labels beat env;
 * - empty values are skipped.
 * Marathon app labels arrive as `MARATHON_APP_LABEL_SERVICE_*` env vars; they are
 * honoured too, below everything else.
 */

const PREFIX = 'SERVICE_';
const MARATHON_LABEL_PREFIX = 'MARATHON_APP_LABEL_';

/** `K=V` entries of a container's env followed by its labels, in precedence order (lowest first). */
export function settingEntries(env: readonly string[], labels: Readonly<Record<string, string>>): Array<[string, string]> {
  const fromEnv = env.map((kv): [string, string] => {
    const eq = kv.indexOf('=');
    return eq === -1 ? [kv, ''] : [kv.slice(0, eq), kv.slice(eq + 1)];
  });
  const marathon = fromEnv.filter(([k]) => k.startsWith(MARATHON_LABEL_PREFIX + PREFIX)).map(([k, v]): [string, string] => [k.slice(MARATHON_LABEL_PREFIX.length), v]);
  return [...marathon, ...fromEnv, ...Object.entries(labels)];
}

export interface PortMetadata {
  readonly values: Map<string, string>;
  /** Keys whose value came from a `SERVICE_<port>_` setting. */
  readonly fromPort: Set<string>;
}

/** The settings that apply to `port` (the exposed port number as text). */
export function portMetadata(entries: ReadonlyArray<readonly [string, string]>, port: string): PortMetadata {
  const values = new Map<string, string>();
  const fromPort = new Set<string>();
  for (const [rawKey, value] of entries) {
    if (!rawKey.startsWith(PREFIX) || value === '') continue;
    const key = rawKey.slice(PREFIX.length).toLowerCase();
    const underscore = key.indexOf('_');
    const first = underscore === -1 ? key : key.slice(0, underscore);
    if (underscore !== -1 && /^\d+$/.test(first)) {
      if (first !== port) continue;
      const rest = key.slice(underscore + 1);
      if (rest === '') continue;
      values.set(rest, value);
      fromPort.add(rest);
    } else if (!fromPort.has(key)) {
      values.set(key, value);
    }
  }
  return { values, fromPort };
}

/** Raw value of a container setting (env or label, labels winning), e.g. `MARATHON_APP_ID`. */
export function containerSetting(entries: ReadonlyArray<readonly [string, string]>, key: string): string | undefined {
  let found: string | undefined;
  for (const [k, v] of entries) if (k === key && v !== '') found = v;
  return found;
}

/**
 * Whether a `SERVICE_[<port>_]IGNORE` value means "ignore". Unlike registrator,
 * `false`, `0`, `no` and `off` (any case) mean "do not ignore".
 */
export function isIgnoreValue(value: string | undefined): boolean {
  if (value === undefined || value === '') return false;
  return !['false', '0', 'no', 'off'].includes(value.trim().toLowerCase());
}
