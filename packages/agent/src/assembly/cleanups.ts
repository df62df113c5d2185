/** What an assembly step leaves to undo: run in reverse order at shutdown, or when a later step fails. */
export type Cleanups = (() => Promise<void> | void)[];
