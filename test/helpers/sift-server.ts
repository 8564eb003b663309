// Boots the real HTTP app on a free loopback port with a temporary data directory, so
// end-to-end tests talk to Sift exactly as a client would.
import 'reflect-metadata';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app.factory.js';
import { loadConfig } from '../../src/config/app-config.js';
import { makeTempDir } from './temp-dir.js';

export interface RunningSift {
  url: string;
  dataDir: string;
  app: NestExpressApplication;
  stop: () => Promise<void>;
}

export async function startSift(env: Record<string, string> = {}): Promise<RunningSift> {
  const dir = makeTempDir('sift-e2e-');
  const config = loadConfig({ DATA_DIR: dir.path, PORT: '0', LOG_LEVEL: 'error', ...env });
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    // An env DATA_DIR wins over the temporary one (a restart on the same data); stop() removes only its own.
    dataDir: config.dataDir,
    app,
    stop: async () => {
      await app.close();
      dir.remove();
    },
  };
}

export interface UploadFile {
  name: string;
  content: string | Uint8Array;
  type?: string;
}

export function uploadForm(files: UploadFile[], metadata?: unknown): FormData {
  const form = new FormData();
  for (const file of files) {
    const bytes = typeof file.content === 'string' ? new TextEncoder().encode(file.content) : file.content;
    form.append('files', new Blob([bytes], { type: file.type ?? 'application/octet-stream' }), file.name);
  }
  if (metadata !== undefined) form.append('metadata', typeof metadata === 'string' ? metadata : JSON.stringify(metadata));
  return form;
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}
