// Writes server-sent events on an Express response and reports when the client goes away,
// so the work behind the stream can be cancelled.
import type { Request, Response } from 'express';

export interface EventStream {
  send(event: string, data: unknown): void;
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
    end() {
      ended = true;
      if (!response.writableEnded) response.end();
    },
  };
}
