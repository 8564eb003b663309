// What the fake Gemini and Ollama servers share: an HTTP server on 127.0.0.1 that records
// every request, applies the failure mode a test switched on, writes JSON, SSE or NDJSON
// answers (or deliberately breaks them), and on close() also ends the requests it left
// hanging. Each provider fake supplies a `Wire`: its routes, its error bodies and how it
// reads a chat request; the chat answer itself comes from the test's responder or, by
// default, from the deterministic model in fake-model.ts.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { garbageText, renderOutput, think, truncateToTokens } from './fake-model.js';
import { ModeRules, NORMAL_MODE, type ActiveMode, type EndpointKind, type ModeName, type ModeOptions } from './fake-modes.js';

export interface RecordedRequest {
  method: string;
  /** The path without the query string, e.g. `/v1beta/models/gemini-3.1-flash-lite:generateContent`. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body; undefined when the body was empty or not JSON. */
  body: unknown;
  rawBody: string;
  /** The route the request matched (e.g. `streamGenerateContent`, `chat`); undefined if none did. */
  endpoint: string | undefined;
  /** The failure mode applied to this request (`normal` when none). */
  mode: ModeName;
  /** The status sent, once headers went out (undefined while hanging). */
  status: number | undefined;
  /** True when the client closed the connection before the answer was complete (e.g. it aborted). */
  closedByClient: boolean;
}

/** A chat request as the model sees it, the same shape for both providers. */
export interface ChatRequestView {
  provider: 'gemini' | 'ollama';
  endpoint: string;
  model: string;
  /** System instruction text ('' when none). */
  system: string;
  messages: Array<{ role: 'system' | 'user' | 'assistant' | 'tool'; text: string }>;
  /** What the default model reads: the system text and every user turn, joined by blank lines. */
  prompt: string;
  /** True when the caller asked for JSON output (Gemini responseMimeType, Ollama `format`). */
  json: boolean;
  /** The JSON schema the caller asked for (Gemini responseSchema, Ollama `format` object). */
  schema: unknown;
  /** Image parts: Gemini inlineData, Ollama `images` (base64). */
  images: Array<{ mimeType: string | undefined; data: string }>;
  /** Gemini maxOutputTokens / Ollama options.num_predict. */
  maxOutputTokens: number | undefined;
  /** The request body as received. */
  body: unknown;
}

/**
 * Replaces the default model: return the answer text, or undefined to let the default model
 * answer. Throwing a `FakeFailure` answers with the provider's error for its status instead,
 * so a test can fail chosen requests by their content (e.g. one batch of many).
 */
export type ChatResponder = (request: ChatRequestView) => string | undefined | Promise<string | undefined>;

/** Thrown by a responder: the fake answers with the provider's 429, 500 or 503. */
export class FakeFailure extends Error {
  constructor(
    readonly status: 429 | 500 | 503,
    message?: string,
  ) {
    super(message ?? `fake failure ${status}`);
    this.name = 'FakeFailure';
  }
}

export type Reply =
  | { kind: 'json'; status?: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'text'; status: number; body: string; contentType?: string }
  /** A streamed answer: `sse` as `data: {json}\n\n` events, `ndjson` one JSON per line, `json-array` as `[a,\r\nb]`. */
  | { kind: 'stream'; framing: 'sse' | 'ndjson' | 'json-array'; events: unknown[] };

export interface IncomingCall {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface HandlerContext {
  call: IncomingCall;
  /** The mode is `garbage`: answer with a valid envelope around nonsense. */
  garbage: boolean;
}

export interface ResolvedRoute<Endpoint extends string> {
  endpoint: Endpoint;
  kind: EndpointKind;
  handle: (context: HandlerContext) => Reply | Promise<Reply>;
}

/** What a provider fake plugs into the shared server. */
export interface Wire<Endpoint extends string> {
  /** The route for a call, or the reply that refuses it (unknown path, bad key, bad body). */
  resolve(call: IncomingCall): ResolvedRoute<Endpoint> | Reply;
  /** The provider's 429 / 500 / 503 answer. */
  errorReply(status: 429 | 500 | 503, mode: ActiveMode): Reply;
  /** The provider's answer to a body that is not JSON. */
  invalidJsonReply(): Reply;
}

export interface FakeServerOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Pause between stream events in ms (default 0). */
  chunkDelayMs?: number;
}

export interface FakeServer<Endpoint extends string> {
  /** Base URL, e.g. `http://127.0.0.1:43123` (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Every request received, in order (tests may read and clear it). */
  readonly requests: RecordedRequest[];
  /** Switches a failure mode; see ModeOptions. `setMode('normal')` clears all. */
  setMode(mode: ModeName, options?: ModeOptions<Endpoint>): void;
  /** Replaces the default model for chat endpoints; `null` restores it. */
  setResponder(responder: ChatResponder | null): void;
  /** Forgets recorded requests. */
  clearRequests(): void;
  /** Stops listening and destroys every open connection, hanging ones included. */
  close(): Promise<void>;
}

/** State a provider fake's handlers read (the current responder). */
export interface FakeState {
  responder: ChatResponder | null;
}

export async function startFakeServer<Endpoint extends string>(
  makeWire: (state: FakeState) => Wire<Endpoint>,
  options: FakeServerOptions = {},
): Promise<FakeServer<Endpoint>> {
  const state: FakeState = { responder: null };
  const wire = makeWire(state);
  const rules = new ModeRules();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const closing = new AbortController();
  const chunkDelayMs = options.chunkDelayMs ?? 0;

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`fake server bug: ${String(error)}`);
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const rawBody = await readBody(req);
    const parsed = parseJson(rawBody);
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: parsed.ok ? parsed.value : undefined,
      rawBody,
      endpoint: undefined,
      mode: 'normal',
      status: undefined,
      closedByClient: false,
    };
    requests.push(recorded);
    res.on('close', () => {
      if (!res.writableFinished) recorded.closedByClient = !closing.signal.aborted;
    });
    if (!parsed.ok) return send(res, recorded, wire.invalidJsonReply(), NORMAL_MODE);

    const call: IncomingCall = { method: recorded.method, url, headers: req.headers, body: parsed.value };
    const resolved = wire.resolve(call);
    if (!('handle' in resolved)) return send(res, recorded, resolved, NORMAL_MODE);
    recorded.endpoint = resolved.endpoint;

    const active = rules.take(resolved.endpoint, resolved.kind);
    recorded.mode = active.mode;
    switch (active.mode) {
      case 'rate-limit':
        return send(res, recorded, wire.errorReply(429, active), active);
      case 'server-error':
        return send(res, recorded, wire.errorReply(500, active), active);
      case 'overloaded':
        return send(res, recorded, wire.errorReply(503, active), active);
      case 'hang':
        return; // the socket stays open until the client leaves or close() destroys it
      case 'slow':
        if (!(await pause(active.delayMs))) return;
        break;
      default:
        break;
    }
    let reply: Reply;
    try {
      reply = await resolved.handle({ call, garbage: active.mode === 'garbage' });
    } catch (error) {
      if (!(error instanceof FakeFailure)) throw error;
      return send(res, recorded, wire.errorReply(error.status, { ...NORMAL_MODE, mode: 'normal', message: error.message }), NORMAL_MODE);
    }
    return send(res, recorded, reply, active);
  }

  /** Waits, unless the fake closes first; says whether to carry on. */
  async function pause(ms: number): Promise<boolean> {
    if (ms <= 0) return !closing.signal.aborted;
    try {
      await sleep(ms, undefined, { signal: closing.signal });
      return true;
    } catch {
      return false;
    }
  }

  async function send(res: ServerResponse, recorded: RecordedRequest, reply: Reply, active: ActiveMode): Promise<void> {
    if (res.destroyed) return;
    if (reply.kind === 'text') {
      recorded.status = reply.status;
      res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'text/plain; charset=utf-8' }).end(reply.body);
      return;
    }
    if (reply.kind === 'json') {
      const status = reply.status ?? 200;
      const text = JSON.stringify(reply.body);
      recorded.status = status;
      const headers = { 'content-type': 'application/json; charset=UTF-8', ...reply.headers };
      const breaks = status === 200 ? active.mode : 'normal';
      if (breaks === 'malformed-json') {
        res.writeHead(status, headers).end(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
      } else if (breaks === 'cut-stream' || breaks === 'stall') {
        res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(text)) });
        res.write(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
        if (breaks === 'cut-stream') setImmediate(() => res.destroy());
      } else {
        res.writeHead(status, headers).end(text);
      }
      return;
    }
    recorded.status = 200;
    const contentType = {
      sse: 'text/event-stream',
      ndjson: 'application/x-ndjson',
      'json-array': 'application/json; charset=UTF-8',
    }[reply.framing];
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache' });
    const events = reply.events;
    const stopAt =
      active.mode === 'cut-stream' || active.mode === 'stall'
        ? Math.min(events.length - 1, Math.max(1, active.afterEvents ?? Math.ceil(events.length / 2)))
        : events.length;
    const brokenAt = active.mode === 'malformed-json' ? Math.min(1, events.length - 1) : -1;
    for (let i = 0; i < stopAt; i++) {
      if (i > 0 && !(await pause(chunkDelayMs))) return;
      if (res.destroyed) return;
      const json = i === brokenAt ? BROKEN_JSON : JSON.stringify(events[i]);
      res.write(frame(reply.framing, json, i, events.length));
      if (i === brokenAt) {
        res.end();
        return;
      }
    }
    if (active.mode === 'cut-stream') {
      // Let the written events reach the client before the connection drops.
      setTimeout(() => res.destroy(), 20);
      return;
    }
    if (active.mode === 'stall') return;
    res.end();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    setMode: (mode, modeOptions) => rules.set(mode, modeOptions),
    setResponder: (responder) => {
      state.responder = responder;
    },
    clearRequests: () => {
      requests.length = 0;
    },
    close: async () => {
      closing.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await closed;
    },
  };
}

const BROKEN_JSON = '{"candidates": [{"content": {"parts": [{"text": "unterminated';

function frame(framing: 'sse' | 'ndjson' | 'json-array', json: string, index: number, count: number): string {
  if (framing === 'sse') return `data: ${json}\r\n\r\n`;
  if (framing === 'ndjson') return `${json}\n`;
  return `${index === 0 ? '[' : ',\r\n'}${json}${index === count - 1 ? ']' : ''}`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

// ---------------------------------------------------------------------------------------
// The chat answer, shared by both fakes

export interface AnswerOptions {
  notFoundAnswer: string | undefined;
}

export interface ChatAnswer {
  text: string;
  /** True when maxOutputTokens cut the answer short. */
  truncated: boolean;
}

/** The answer text for a chat request: garbage, the test's responder, or the default model. */
export async function answerChat(
  view: ChatRequestView,
  state: FakeState,
  garbage: boolean,
  options: AnswerOptions,
): Promise<ChatAnswer> {
  let text: string | undefined;
  if (garbage) text = garbageText(view.prompt);
  if (text === undefined && state.responder) text = await state.responder(view);
  if (text === undefined) {
    const input = { prompt: view.prompt, schema: view.schema, json: view.json, imageCount: view.images.length };
    text = renderOutput(think(input, { notFoundAnswer: options.notFoundAnswer }), input);
  }
  return truncateToTokens(text, view.maxOutputTokens);
}

/** The text the default model reads: the system text, then the user turns in order. */
export function promptOf(system: string, messages: ChatRequestView['messages']): string {
  return [system, ...messages.filter((m) => m.role === 'user').map((m) => m.text)]
    .filter((text) => text.trim() !== '')
    .join('\n\n');
}
