import { describe, expect, it } from 'vitest';
import { gifBytes, makePng, truncatedPng } from '../../../test/fixtures/make-image.js';
import { checkImage } from './image-check.js';

const limits = { maxBytes: 10_000, what: 'uploaded image' };

describe('checking an image before it goes to a model', () => {
  it('reads type and size from the content', async () => {
    expect(await checkImage(makePng(5, 7), limits)).toMatchObject({ mimeType: 'image/png', width: 5, height: 7 });
  });

  it('refuses an image type the models do not take (415)', async () => {
    await expect(checkImage(gifBytes(), limits)).rejects.toMatchObject({ code: 'UNSUPPORTED_TYPE', message: expect.stringMatching(/image\/gif.*PNG, JPEG or WebP/) });
  });

  it('refuses bytes that are not an image', async () => {
    await expect(checkImage(new TextEncoder().encode('<html>not an image</html>'), limits)).rejects.toMatchObject({ code: 'UNSUPPORTED_TYPE' });
  });

  it('refuses an image cut short (422)', async () => {
    await expect(checkImage(truncatedPng(), limits)).rejects.toMatchObject({ code: 'CORRUPT_FILE', message: expect.stringMatching(/cut short/) });
  });

  it('refuses an empty or too large image', async () => {
    await expect(checkImage(new Uint8Array(), limits)).rejects.toMatchObject({ code: 'CORRUPT_FILE' });
    await expect(checkImage(makePng(200, 200), { ...limits, maxBytes: 50 })).rejects.toMatchObject({ code: 'FILE_TOO_LARGE', message: expect.stringMatching(/VISION_MAX_IMAGE_BYTES/) });
  });
});
