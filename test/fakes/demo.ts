// `npm run demo`: Sift with every model stage on, and no key, model or network: the fake
// Gemini (test/fakes/fake-gemini.ts) on a free loopback port, and the real server
// (`node dist/src/main.js`) pointed at it, with its data in DATA_DIR (default ./data/demo, kept
// apart from real data, whose embeddings differ). Embeddings, the rerank layer and written,
// streamed, cited answers all run; the fake's answers are built from the passages it is given,
// not from a language model. Ctrl-C stops both.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startFakeGemini } from './fake-gemini.js';

const DEMO_API_KEY = 'fake-gemini-key';
const REPO = fileURLToPath(new URL('../../..', import.meta.url));

async function main(): Promise<void> {
  const gemini = await startFakeGemini({ port: 0, apiKey: DEMO_API_KEY, chunkDelayMs: 30 });
  const env = {
    ...process.env,
    DATA_DIR: process.env.DATA_DIR ?? './data/demo',
    GOOGLE_API_KEY: DEMO_API_KEY,
    GEMINI_BASE_URL: gemini.url,
    EMBEDDINGS_PROVIDER: 'gemini',
    RERANK_PROVIDER: 'gemini',
    RERANK_BY_DEFAULT: 'true',
    GENERATION_PROVIDER: 'gemini',
  };
  const port = process.env.PORT ?? '3000';
  process.stdout.write(
    [
      `Demo: the fake Gemini on ${gemini.url} serves embeddings, rerank and generation; data in ${env.DATA_DIR}.`,
      'Once Sift is listening, from the repository root:',
      `  curl -s -F files=@examples/travel.md -F files=@examples/kitchen.html -F files=@examples/notes.txt http://localhost:${port}/v1/collections/handbook/documents`,
      `  curl -s -H 'content-type: application/json' -d '{"question":"How much is reimbursed for a hotel night?"}' http://localhost:${port}/v1/collections/handbook/ask`,
      '',
    ].join('\n'),
  );
  const server = spawn(process.execPath, ['dist/src/main.js'], { cwd: REPO, env, stdio: 'inherit' });
  const stop = (): void => {
    server.kill('SIGTERM');
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const code = await new Promise<number>((resolve) => server.on('exit', (exitCode) => resolve(exitCode ?? 0)));
  await gemini.close();
  process.exit(code);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
