import express, { type RequestHandler } from 'express';

/** A body-parser style error: clientError (routes.ts) answers it by its status and type. */
function bodyError(status: number, type: string, message: string): Error {
  return Object.assign(new Error(message), { status, type, expose: true });
}

/**
 * A session file's body, read as bytes into one Buffer of its own memory (the worker takes it by transfer:
 * import-pipeline.ts). When the request names its length and is not compressed (what the client and the
 * CLI send), the Buffer is made at that length first and each chunk is copied in as it arrives, a few
 * microseconds a turn; express.raw keeps the chunks and joins them in one Buffer.concat when the body
 * ends, which held the event loop 12-16 ms for a 3 MB file (7 December: the pages of a fresh 3 MB block
 * touched at once). Anything else (a compressed body, no length, one over the limit) goes to express.raw
 * as before, with its errors.
 */
export function fileBody(limit: number): RequestHandler {
  const fallback = express.raw({ type: () => true, limit });
  return (req, res, next) => {
    const declared = Number(req.headers['content-length']);
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding !== 'identity' || !Number.isSafeInteger(declared) || declared <= 0 || declared > limit) return fallback(req, res, next);
    const body = Buffer.allocUnsafeSlow(declared);
    let filled = 0;
    let overflow = false;
    let settled = false;
    const settle = (err?: Error) => {
      if (settled) return;
      settled = true;
      req.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onAborted);
      if (err) return next(err);
      req.body = body;
      next();
    };
    const onData = (chunk: Buffer) => {
      // More than it declared: drained to its end (answering mid-upload can reset the connection), then refused.
      if (overflow || filled + chunk.length > declared) {
        overflow = true;
        return;
      }
      chunk.copy(body, filled);
      filled += chunk.length;
    };
    const onEnd = () =>
      settle(overflow || filled !== declared ? bodyError(400, 'request.size.invalid', 'The request body did not match its Content-Length.') : undefined);
    const onError = (err: Error) => settle(err);
    const onAborted = () => settle(bodyError(400, 'request.aborted', 'The request was aborted.'));
    req.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onAborted);
  };
}
