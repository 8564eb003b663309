// Reads a streamed `ask` (server-sent events over a POST, which EventSource cannot send):
// sources first, then answer text as it is written, a reset if the model failed mid-answer,
// and the full response last. A final `error` event carries the usual error body.
import { createParser } from 'eventsource-parser';
import { ApiError } from './api-error.ts';
import type { AskResponse, ErrorBody, StreamSource } from './types.ts';

export interface AskStreamHandlers {
  onSources?(sources: StreamSource[]): void;
  onToken?(text: string): void;
  onReset?(reason: string): void;
}

/** Feeds the response body to the handlers; resolves with the `done` event's response. */
export async function readAskStream(body: ReadableStream<Uint8Array>, handlers: AskStreamHandlers): Promise<AskResponse> {
  let done: AskResponse | null = null;
  let failure: ApiError | null = null;
  const parser = createParser({
    onEvent(message) {
      const data: unknown = JSON.parse(message.data);
      switch (message.event) {
        case 'sources':
          handlers.onSources?.((data as { sources: StreamSource[] }).sources);
          break;
        case 'token':
          handlers.onToken?.((data as { text: string }).text);
          break;
        case 'reset':
          handlers.onReset?.((data as { reason: string }).reason);
          break;
        case 'done':
          done = data as AskResponse;
          break;
        case 'error': {
          const { error } = data as ErrorBody;
          failure = new ApiError(200, error.code, error.message, error.details);
          break;
        }
        default:
          break;
      }
    },
  });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { value, done: ended } = await reader.read();
    if (ended) break;
    parser.feed(decoder.decode(value, { stream: true }));
  }
  parser.feed(decoder.decode());
  if (failure) throw failure;
  if (!done) throw new ApiError(0, 'STREAM_CUT', 'The answer stream ended before the server finished it.');
  return done;
}
