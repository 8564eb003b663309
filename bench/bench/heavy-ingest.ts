// How well the server keeps answering while it ingests files built to be expensive: a PDF
// of 10,000 empty pages, 50 MB of plain text and HTML nested 100,000 deep, uploaded at once,
// then a DOCX whose document.xml unpacks to 190 MB. /healthz is timed at concurrency 1 the
// whole time and, before, on the idle server in the same run; parsing runs in parser
// threads, so the request thread should only see the store writes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDocxWithBodyOf } from '../../test/fixtures/make-docx.js';
import { makeBlankPdf } from '../../test/fixtures/make-pdf.js';
import { DOCX_MAX_UNPACKED_BYTES } from '../../src/ingestion/parsers/docx.js';
import { percentile, round } from '../common/report.js';
import { runLoad, type LoadResult } from './http-load.js';
import { startSiftServer, type SiftServer } from './sift-server.js';

export interface FileOutcome {
  file: string;
  bytes: number;
  /** HTTP status of the upload, or of the job's file outcome (200 created). */
  status: number;
  code: string | null;
  seconds: number;
}

export interface HeavyIngestResult {
  idle: LatencyFigures;
  duringIngest: LatencyFigures;
  files: FileOutcome[];
  docxBomb: FileOutcome & { serverPeakRssBytes: number | null; maxExpandedBytes: number };
  serverPeakRssBytes: number | null;
}

interface LatencyFigures {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

function figures(result: LoadResult): LatencyFigures {
  const { latenciesMs } = result;
  return { requests: latenciesMs.length, p50Ms: round(percentile(latenciesMs, 0.5), 3), p99Ms: round(percentile(latenciesMs, 0.99), 3), maxMs: round(latenciesMs.reduce((max, value) => Math.max(max, value), 0), 1) };
}

function plainText(bytes: number): Uint8Array {
  const words = 'the keeper of the lighthouse logs each passing ship with its flag its heading and the hour'.split(' ');
  const sentences: string[] = [];
  let length = 0;
  for (let i = 0; length < bytes; i++) {
    const sentence = `${Array.from({ length: 14 }, (_, j) => words[(i * 7 + j * 3) % words.length]).join(' ')}.${i % 8 === 7 ? '\n\n' : ' '}`;
    sentences.push(sentence);
    length += sentence.length;
  }
  return new TextEncoder().encode(sentences.join(''));
}

async function upload(server: SiftServer, file: string, bytes: Uint8Array): Promise<FileOutcome> {
  const started = performance.now();
  const form = new FormData();
  form.append('files', new Blob([bytes]), file);
  let response: Response;
  try {
    response = await fetch(`http://${server.host}:${server.port}/v1/collections/heavy/documents`, { method: 'POST', body: form });
  } catch (error) {
    // Reported, not thrown: a dropped connection is a finding of this measurement.
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? String(error);
    return { file, bytes: bytes.byteLength, status: 0, code: reason, seconds: round((performance.now() - started) / 1000, 2) };
  }
  const body = (await response.json()) as { error?: { code: string }; job?: { id: string } };
  let status = response.status;
  let code = body.error?.code ?? null;
  if (status === 202 && body.job) {
    // A large upload becomes a job: its file's outcome is the answer.
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const { job } = (await (await fetch(`http://${server.host}:${server.port}/v1/jobs/${body.job.id}`)).json()) as {
        job: { state: string; documents: Array<{ status: string; error?: { code: string } }> };
      };
      if (job.state === 'queued' || job.state === 'running') continue;
      const outcome = job.documents[0];
      status = outcome?.status === 'failed' ? 422 : 200;
      code = outcome?.error?.code ?? null;
      break;
    }
  }
  return { file, bytes: bytes.byteLength, status, code, seconds: round((performance.now() - started) / 1000, 2) };
}

async function healthWhile<T>(server: SiftServer, work: () => Promise<T>): Promise<{ load: LoadResult; value: T }> {
  const done = new AbortController();
  const load = runLoad({ host: server.host, port: server.port, path: '/healthz', method: 'GET', bodies: [] }, 1, { seconds: 600, maxRequests: 10_000_000, until: done.signal });
  try {
    return { value: await work(), load: await (done.abort(), load) };
  } finally {
    done.abort();
  }
}

export async function measureHealthDuringHeavyIngest(repoRoot: string, options: { idleSeconds: number }): Promise<HeavyIngestResult> {
  const files: Array<[string, Uint8Array]> = [
    ['blank-10000-pages.pdf', await makeBlankPdf(10_000)],
    ['plain-50mb.txt', plainText(50 * 1000 * 1000)],
    ['nested-100000.html', new TextEncoder().encode('<div>'.repeat(100_000) + 'deep')],
  ];
  const dataDir = mkdtempSync(join(tmpdir(), 'sift-bench-heavy-'));
  const server = await startSiftServer(repoRoot, dataDir);
  try {
    const idle = figures(await runLoad({ host: server.host, port: server.port, path: '/healthz', method: 'GET', bodies: [] }, 1, { seconds: options.idleSeconds, maxRequests: 1_000_000 }));
    const during = await healthWhile(server, () => Promise.all(files.map(([name, bytes]) => upload(server, name, bytes))));
    const serverPeakRssBytes = server.peakRssBytes();
    return { idle, duringIngest: figures(during.load), files: during.value, docxBomb: await measureDocxBomb(repoRoot), serverPeakRssBytes };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The DOCX on a server of its own, so its peak memory is its own. */
async function measureDocxBomb(repoRoot: string): Promise<HeavyIngestResult['docxBomb']> {
  const bytes = await makeDocxWithBodyOf(190 * 1024 * 1024);
  const dataDir = mkdtempSync(join(tmpdir(), 'sift-bench-docx-'));
  const server = await startSiftServer(repoRoot, dataDir);
  try {
    const outcome = await upload(server, 'body-190mb.docx', bytes);
    return { ...outcome, serverPeakRssBytes: server.peakRssBytes(), maxExpandedBytes: DOCX_MAX_UNPACKED_BYTES };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
