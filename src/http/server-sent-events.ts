// Writes server-sent events on an Express response and reports when the client goes away,
// so the work behind the stream can be cancelled.
import { Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ErrorCode, SiftError, isSiftError } from '../common/errors.js';

export interface EventStream {
  send(event: string, data: unknown): void;
  /** A data-only event (`data: …`), the form OpenAI's streams use; a string goes as it is. */
  data(payload: unknown): void;
  end(): void;
  /** Aborted when the client disconnects before the stream ended. */
  readonly signal: AbortSignal;
}

export function openEventStream(request: Request, response: Response): EventStream {
  const disconnected = new AbortController();
  let ended = false;
  response.on('close', () => {
    if (!ended) disconnected.abort(new Error('client disconnected'));
  });
  response.status(200);
  response.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  response.setHeader('Cache-Control', 'no-cache, no-transform');
  response.setHeader('Connection', 'keep-alive');
  // Proxies such as nginx would otherwise buffer the stream.
  response.setHeader('X-Accel-Buffering', 'no');
  response.flushHeaders();
  void request;
  return {
    signal: disconnected.signal,
    send(event, data) {
      if (ended || response.writableEnded) return;
      response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    data(payload) {
      if (ended || response.writableEnded) return;
      response.write(`data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`);
    },
    end() {
      ended = true;
      if (!response.writableEnded) response.end();
    },
  };
}

const logger = new Logger('HTTP');

/** Aborted when the client goes away before a (non-streamed) response is finished. */
export function clientGone(response: Response): AbortSignal {
  const gone = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) gone.abort(new Error('client disconnected'));
  });
  return gone.signal;
}

/**
 * Opens the stream, runs `work` with it, and closes it. A failure after the stream opened
 * can no longer change the status, so it becomes a final `error` event with the usual body.
 */
export async function streamEvents(request: Request, response: Response, work: (events: EventStream) => Promise<void>): Promise<void> {
  const events = openEventStream(request, response);
  try {
    await work(events);
  } catch (error) {
    if (!isSiftError(error)) logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    const sift = isSiftError(error) ? error : new SiftError(ErrorCode.Internal, 'Internal error; the server log has the details.');
    events.send('error', { error: { code: sift.code, message: sift.message } });
  } finally {
    events.end();
  }
}
