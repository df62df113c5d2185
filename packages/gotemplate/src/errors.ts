/** Errors with Go's text/template wording and a stable `code`. */

export class TemplateError extends Error {
  readonly code: 'TEMPLATE_PARSE' | 'TEMPLATE_EXEC';
  /** Template name used in the location (the name given to parse). */
  readonly templateName: string;
  readonly line: number;

  constructor(code: 'TEMPLATE_PARSE' | 'TEMPLATE_EXEC', message: string, templateName: string, line: number) {
    super(message);
    this.name = 'TemplateError';
    this.code = code;
    this.templateName = templateName;
    this.line = line;
  }
}

/** `template: NAME:LINE: message` */
export class TemplateParseError extends TemplateError {
  constructor(message: string, templateName: string, line: number) {
    super('TEMPLATE_PARSE', message, templateName, line);
  }
}

/** `template: NAME:LINE:COL: executing "NAME" at <node>: message` */
export class TemplateExecError extends TemplateError {
  readonly column: number;
  constructor(message: string, templateName: string, line: number, column: number) {
    super('TEMPLATE_EXEC', message, templateName, line);
    this.column = column;
  }
}
