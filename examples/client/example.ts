// A typed Sift client in a few lines: the types come from the served OpenAPI document
// (openapi-typescript writes sift-api.ts beside this file), the calls from openapi-fetch.
// Upload documents, wait for a background job, search, ask. `npm test` type-checks this file
// and runs it against a booted server (test/e2e/generated-client.test.ts).
import createClient from 'openapi-fetch';
import type { paths } from './sift-api.js';

export interface ExampleFile {
  name: string;
  text: string;
}

export async function runExample(baseUrl: string, collection: string, files: ExampleFile[], question: string, apiKey?: string) {
  // Answers are read as JSON (ask can also stream server-sent events; this example does not).
  const sift = createClient<paths, 'application/json'>({ baseUrl, headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {} });

  // Upload: multipart/form-data, one `files` part per document.
  const form = new FormData();
  for (const file of files) form.append('files', new Blob([file.text], { type: 'text/plain' }), file.name);
  const upload = await sift.POST('/v1/collections/{collection}/documents', {
    params: { path: { collection } },
    // The document types the parts ({files, metadata?}); the form itself goes on the wire as is.
    body: form as unknown as { files: string[] },
    bodySerializer: () => form,
  });
  if (upload.error) throw new Error(`upload failed: ${upload.response.status}`);

  // A large upload answers 202 with a job: poll it until it is done.
  let jobState: string | null = null;
  if (upload.response.status === 202 && 'job' in upload.data) {
    const id = upload.data.job.id;
    for (;;) {
      const { data, error } = await sift.GET('/v1/jobs/{id}', { params: { path: { id } } });
      if (error) throw new Error(`job ${id}: ${error.error.code}`);
      jobState = data.job.state;
      if (jobState !== 'queued' && jobState !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const search = await sift.POST('/v1/collections/{collection}/search', { params: { path: { collection } }, body: { query: question, topK: 3 } });
  if (search.error) throw new Error(`search failed: ${search.error.error.code}`);
  const ask = await sift.POST('/v1/collections/{collection}/ask', { params: { path: { collection } }, body: { question } });
  if (ask.error) throw new Error(`ask failed: ${ask.error.error.code}`);

  // Typed all the way: results[0].source is a string, citations[0].n a number.
  return {
    uploadStatus: upload.response.status,
    jobState,
    topSource: search.data.results[0]?.source ?? null,
    answer: ask.data.answer,
    citedSources: ask.data.citations.map((citation) => citation.source),
    mode: ask.data.mode,
  };
}
