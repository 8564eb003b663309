// Three Sift instances on one Qdrant (the fake) and one Redis, each replacing the same
// document at the same instant: with the write lease every round ends with exactly one
// version visible, whole: every chunk from the same upload, and as many as it has.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeQdrant, type FakeQdrant } from '../fakes/fake-qdrant.js';
import { startRedis, type RunningRedis } from '../helpers/redis-server.js';
import { startSift, uploadForm, type RunningSift } from '../helpers/sift-server.js';

const ROUNDS = 20;
const WRITERS_PER_REPLICA = 10;

/** Writer `n`'s version of the file: its own marker in every paragraph, and its own number of paragraphs. */
function version(round: number, writer: number): string {
  const paragraphs = Array.from({ length: 2 + (writer % 4) }, (_, p) => `Paragraph ${p} of writer${writer}round${round}: the glacier moved north by ${p} metres in that season.`);
  return `# Glacier log\n\n${paragraphs.join('\n\n')}`;
}

describe('three replicas replacing one document at once', () => {
  let redis: RunningRedis;
  let qdrant: FakeQdrant;
  const replicas: RunningSift[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    qdrant = await startFakeQdrant();
    for (let i = 0; i < 3; i++) {
      replicas.push(await startSift({ SIFT_STORE: 'qdrant', QDRANT_URL: qdrant.url, QDRANT_COLLECTION_PREFIX: 'lease_', REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'lease-test:', CHUNK_TOKENS: '24', CHUNK_OVERLAP_TOKENS: '0' }));
    }
  });
  afterAll(async () => {
    for (const replica of replicas) await replica.stop();
    await qdrant?.close();
    await redis?.stop();
  });

  it(`ends each of ${ROUNDS} rounds of 3 × ${WRITERS_PER_REPLICA} concurrent replacements with one whole version`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const uploads = replicas.flatMap((replica, r) =>
        Array.from({ length: WRITERS_PER_REPLICA }, async (_, w) => {
          const writer = r * WRITERS_PER_REPLICA + w;
          const response = await fetch(`${replica.url}/v1/collections/logs/documents`, { method: 'POST', body: uploadForm([{ name: 'glacier.md', content: version(round, writer) }]) });
          return { status: response.status, body: await response.text() };
        }),
      );
      for (const answer of await Promise.all(uploads)) expect(answer.status, answer.body).toBe(200);

      const listed = (await (await fetch(`${replicas[round % 3]!.url}/v1/collections/logs/documents`)).json()) as { documents: Array<{ id: string }> };
      expect(listed.documents).toHaveLength(1);
      const document = (await (await fetch(`${replicas[(round + 1) % 3]!.url}/v1/collections/logs/documents/${listed.documents[0]!.id}`)).json()) as { chunkCount: number; chunks: Array<{ text: string }> };
      const writers = new Set(document.chunks.map((chunk) => /writer(\d+)round/.exec(chunk.text)?.[1]));
      expect(writers.size, `round ${round}: chunks from writers ${[...writers].join(', ')}`).toBe(1);
      const writer = Number([...writers][0]);
      expect(document.chunks.every((chunk) => chunk.text.includes(`round${round}:`))).toBe(true);
      expect(document.chunks).toHaveLength(document.chunkCount);
      // The chunker puts each short paragraph in its own chunk: all of them, or the version is not whole.
      expect(document.chunks.length).toBe(2 + (writer % 4));
    }
  }, 240_000);
});
