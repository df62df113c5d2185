export { Template } from './template.js';
export type { TemplateFunc, TemplateOptions } from './template.js';
export { TemplateError, TemplateExecError, TemplateParseError } from './errors.js';
export type { MissingKey } from './exec.js';
export { isTrue } from './values.js';
export { printValue, sprint, sprintf, sprintln } from './fmt.js';
export { escapeHtml, escapeJs, queryEscape } from './escape.js';
