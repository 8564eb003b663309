// Starts the fake Gemini, fake Ollama and fake Qdrant servers on fixed ports for a demo of
// `npm start` (or `npm run eval`) without any model or Qdrant, and prints the environment
// that points Sift at them. Stop with Ctrl-C.
//
//   npx swc test/fakes -d dist --ignore "**/*.test.ts" -q && node dist/test/fakes/serve.js
//
// FAKE_GEMINI_PORT (default 18085), FAKE_OLLAMA_PORT (default 18086), FAKE_QDRANT_PORT
// (default 18087; the fake keeps everything in memory until it stops), FAKE_MODEL_DELAY_MS
// (default 0: every chat and embedding call waits this long, like a real model).
import { startFakeGemini } from './fake-gemini.js';
import { startFakeOllama } from './fake-ollama.js';
import { startFakeQdrant } from './fake-qdrant.js';

const DEMO_API_KEY = 'fake-gemini-key';

function portFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  const port = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`${name} must be a port number, got "${raw}"`);
  return port;
}

async function main(): Promise<void> {
  const delayMs = Number(process.env.FAKE_MODEL_DELAY_MS ?? '0');
  const gemini = await startFakeGemini({ port: portFrom('FAKE_GEMINI_PORT', 18085), apiKey: DEMO_API_KEY, chunkDelayMs: 30 });
  const ollama = await startFakeOllama({ port: portFrom('FAKE_OLLAMA_PORT', 18086), chunkDelayMs: 30 });
  const qdrant = await startFakeQdrant({ port: portFrom('FAKE_QDRANT_PORT', 18087) });
  if (delayMs > 0) {
    gemini.setMode('slow', { delayMs });
    ollama.setMode('slow', { delayMs });
  }

  const lines = [
    `Fake Gemini on ${gemini.url}, fake Ollama on ${ollama.url}${delayMs > 0 ? ` (each call waits ${delayMs} ms)` : ''}, fake Qdrant on ${qdrant.url}.`,
    '',
    '# Sift with the fake Gemini:',
    `GOOGLE_API_KEY=${DEMO_API_KEY}`,
    `GEMINI_BASE_URL=${gemini.url}`,
    'EMBEDDINGS_PROVIDER=gemini EMBEDDINGS_MODEL=gemini-embedding-001',
    'RERANK_PROVIDER=gemini RERANK_MODEL=gemini-3.1-flash-lite',
    'GENERATION_PROVIDER=gemini GENERATION_MODEL=gemini-3.1-flash-lite',
    '',
    '# or with the fake Ollama:',
    `OLLAMA_BASE_URL=${ollama.url}`,
    'EMBEDDINGS_PROVIDER=ollama EMBEDDINGS_MODEL=embeddinggemma',
    'RERANK_PROVIDER=ollama RERANK_MODEL=gemma3:4b',
    'GENERATION_PROVIDER=ollama GENERATION_MODEL=gemma3:4b',
    '',
    '# and the fake Qdrant as the store:',
    `SIFT_STORE=qdrant QDRANT_URL=${qdrant.url}`,
    '',
    'Ctrl-C stops all three.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  const stop = (): void => {
    void Promise.all([gemini.close(), ollama.close(), qdrant.close()]).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
