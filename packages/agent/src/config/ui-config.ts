import { ConfigError } from './config-error.js';
import { type Json, bool, isObject, str } from './json-fields.js';

/** Keys of Consul's `ui_config` block; only `enabled`, `dir` and the default `content_path` act here. */
const UI_CONFIG_KEYS = new Set([
  'enabled',
  'dir',
  'content_path',
  'metrics_provider',
  'metrics_provider_files',
  'metrics_provider_options_json',
  'metrics_proxy',
  'dashboard_url_templates',
]);

/** `-ui`, `-ui-dir`, `ui_config { enabled, dir }` and the legacy top-level `ui`/`ui_dir` keys. */
export function uiSettings(f: Record<string, unknown>, file: Json, dev: boolean): { ui: boolean; uiDir: string | undefined } {
  const block = file.ui_config === undefined ? {} : file.ui_config;
  if (!isObject(block)) throw new ConfigError('ui_config must be an object');
  for (const key of Object.keys(block)) {
    if (!UI_CONFIG_KEYS.has(key)) throw new ConfigError(`ui_config: invalid config key ${key}`);
  }
  const contentPath = str(block.content_path, 'ui_config.content_path');
  if (contentPath !== undefined && contentPath.replace(/^\/*|\/*$/g, '') !== 'ui') {
    throw new ConfigError(`ui_config.content_path: only /ui/ is supported, got ${contentPath}`);
  }
  const uiDir = (f['ui-dir'] as string | undefined) ?? str(block.dir, 'ui_config.dir') ?? str(file.ui_dir, 'ui_dir');
  if (uiDir !== undefined && uiDir.trim() === '') throw new ConfigError('ui_config.dir cannot be empty');
  const enabled = (f.ui as boolean | undefined) ?? bool(block.enabled, 'ui_config.enabled') ?? bool(file.ui, 'ui') ?? (dev || uiDir !== undefined);
  return { ui: enabled, uiDir };
}
