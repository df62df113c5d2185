/** The HTTP layer's errors: the mapping lives with the error codes in ../errors/. */
import { HttpError } from '../errors/http-status.js';

export { HttpError, fromStateError, toHttpError } from '../errors/http-status.js';

export const badRequest = (msg: string) => new HttpError(400, msg);
