/** Bad command-line input or configuration: the command prints the message and exits 1. */
export class RegistratorConfigError extends Error {
  readonly code = 'REGISTRATOR_CONFIG';

  constructor(message: string) {
    super(message);
    this.name = 'RegistratorConfigError';
  }
}

/** Start-up could not reach Docker or the registry within the allowed attempts. */
export class RegistratorStartError extends Error {
  readonly code = 'REGISTRATOR_START';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RegistratorStartError';
  }
}
