// PDF, DOCX and legacy-encoded text as a user meets them over HTTP: page numbers and heading
// paths in search results and citations, and a 4xx that says what is wrong with each file
// Sift cannot read. Every fixture is made here by a real PDF or Word writer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDocx } from '../fixtures/make-docx.js';
import { makeEncryptedPdf, makeImageOnlyPdf, makePdf, makeTruncatedPdf } from '../fixtures/make-pdf.js';
import { postJson, startSift, uploadForm, type RunningSift, type UploadFile } from '../helpers/sift-server.js';

/** "Le café crème coûte trois euros à la brasserie près de la gare." in windows-1252. */
const LATIN1_NOTE = Uint8Array.from(
  [...'Le caf\u00e9 cr\u00e8me co\u00fbte trois euros \u00e0 la brasserie pr\u00e8s de la gare.\n'].map((char) => char.charCodeAt(0)),
);

describe('document formats over HTTP', () => {
  let sift: RunningSift;
  const docs = (collection = 'plant') => `${sift.url}/v1/collections/${collection}/documents`;
  const upload = (files: UploadFile[], collection?: string) => fetch(docs(collection), { method: 'POST', body: uploadForm(files) });
  const search = async (query: string, collection = 'plant') =>
    (await postJson(`${sift.url}/v1/collections/${collection}/search`, { query, topK: 3 })).json();

  async function expectFileError(response: Response, status: number, code: string, message: RegExp) {
    expect(response.status).toBe(status);
    const body = await response.json();
    expect(body.error.code).toBe(code);
    expect(body.error.message).toMatch(message);
  }

  beforeAll(async () => {
    sift = await startSift();
  });
  afterAll(async () => {
    await sift.stop();
  });

  it('cites page 3 for a fact that is on page 3 of a PDF', async () => {
    const manual = await makePdf([
      ['Plant operations manual.', 'This manual describes the daily routine of the water treatment plant.'],
      ['Chlorine levels are measured every four hours and written into the shift log.'],
      ['The emergency generator is tested on the first Monday of every month, for thirty minutes under load.'],
    ]);
    const response = await upload([{ name: 'manual.pdf', content: manual, type: 'application/pdf' }]);
    expect(response.status).toBe(200);
    expect((await response.json()).documents[0]).toMatchObject({ status: 'created', chunkCount: 3 });

    const answer = await (await postJson(`${sift.url}/v1/collections/plant/ask`, { question: 'When is the emergency generator tested?' })).json();
    expect(answer.found).toBe(true);
    expect(answer.answer).toContain('first Monday of every month');
    expect(answer.citations[0]).toMatchObject({ source: 'manual.pdf', page: 3 });

    const found = await search('chlorine shift log');
    expect(found.results[0]).toMatchObject({ source: 'manual.pdf', page: 2 });
  });

  it('gives DOCX search results the heading path of their section', async () => {
    const handbook = await makeDocx([
      { heading: 'Travel handbook', level: 1 },
      { heading: 'Expenses', level: 2 },
      { paragraph: 'Hotel stays are reimbursed up to 180 euros per night.' },
      { table: [['City', 'Limit'], ['Paris', '220 euros']] },
      { heading: 'Booking', level: 2 },
      { bullets: ['Book trains a week ahead.', 'Flights need approval.'] },
    ]);
    const response = await upload([{ name: 'travel.docx', content: handbook }], 'office');
    expect(response.status).toBe(200);

    // Sections this small share one passage, under the heading path they share; an answer
    // cites the section it quotes.
    const hotel = await search('hotel reimbursed per night', 'office');
    expect(hotel.results[0]).toMatchObject({ source: 'travel.docx', headingPath: ['Travel handbook'], page: null });
    expect(hotel.results[0].text).toMatch(/^Travel handbook\n\nExpenses\n\nHotel stays .*Paris \| 220 euros\n\nBooking\n\n/s);
    const ask = async (question: string) => (await postJson(`${sift.url}/v1/collections/office/ask`, { question })).json();
    expect((await ask('How much is a hotel night reimbursed?')).citations[0]).toMatchObject({ source: 'travel.docx', headingPath: ['Travel handbook', 'Expenses'] });
    expect((await ask('When should I book trains?')).citations[0]).toMatchObject({ headingPath: ['Travel handbook', 'Booking'] });
  });

  it('refuses a damaged PDF with the reason', async () => {
    await expectFileError(await upload([{ name: 'cut.pdf', content: await makeTruncatedPdf() }]), 422, 'CORRUPT_FILE', /"cut\.pdf" is not a readable PDF/);
  });

  it('refuses a password-protected PDF and says so', async () => {
    const secret = await makeEncryptedPdf('The merger closes in May.');
    await expectFileError(await upload([{ name: 'secret.pdf', content: secret }]), 422, 'ENCRYPTED_FILE', /encrypted \(password-protected\)/);
  });

  it('refuses a PDF without a text layer and says OCR is not supported', async () => {
    await expectFileError(await upload([{ name: 'scan.pdf', content: await makeImageOnlyPdf() }]), 422, 'NO_TEXT', /no text layer.*OCR/);
  });

  it('lands the good files of a mixed batch and lists the bad ones with reasons', async () => {
    const response = await upload(
      [
        { name: 'minutes.pdf', content: await makePdf([['The board approved the new cafeteria menu.']]) },
        { name: 'locked.pdf', content: await makeEncryptedPdf('Salaries.') },
        { name: 'memo.docx', content: await makeDocx([{ paragraph: 'The parking garage closes for repairs in June.' }]) },
      ],
      'batch',
    );
    expect(response.status).toBe(207);
    const body = await response.json();
    expect(body.documents.map((d: { file: string; status: string }) => [d.file, d.status])).toEqual([
      ['minutes.pdf', 'created'],
      ['locked.pdf', 'failed'],
      ['memo.docx', 'created'],
    ]);
    expect(body.documents[1].error).toEqual({ code: 'ENCRYPTED_FILE', message: expect.stringContaining('password') });
  });

  it('reads a Latin-1 text file with its accents intact and finds it', async () => {
    const response = await upload([{ name: 'note.txt', content: LATIN1_NOTE }], 'notes');
    expect(response.status).toBe(200);
    const found = await search('brasserie gare', 'notes');
    expect(found.results[0].text).toBe('Le café crème coûte trois euros à la brasserie près de la gare.');
    const byAccentedWord = await search('café', 'notes');
    expect(byAccentedWord.results.map((r: { source: string }) => r.source)).toEqual(['note.txt']);
  });
});
