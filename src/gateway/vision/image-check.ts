// Decides whether bytes are an image the models take, from the content and never from a
// name or a Content-Type header: the type is sniffed (file-type), the header parsed for
// its size (image-size), and a file cut short in transfer is caught by its missing end
// marker, so the model is not billed for an image it cannot read.
import { fileTypeFromBuffer } from 'file-type';
import { imageSize } from 'image-size';
import { ErrorCode, SiftError } from '../../common/errors.js';

/** What both Gemini and Ollama's vision models read. */
export const VISION_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
export type VisionImageType = (typeof VISION_IMAGE_TYPES)[number];

export interface CheckedImage {
  mimeType: VisionImageType;
  bytes: number;
  width: number;
  height: number;
}

const PNG_END = Uint8Array.from([0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);

function endsWith(bytes: Uint8Array, tail: Uint8Array): boolean {
  if (bytes.length < tail.length) return false;
  return tail.every((value, i) => bytes[bytes.length - tail.length + i] === value);
}

/** True when the image's end marker is where it belongs (a transfer cut short loses it). */
function isComplete(bytes: Uint8Array, type: VisionImageType): boolean {
  switch (type) {
    case 'image/png':
      return endsWith(bytes, PNG_END);
    case 'image/jpeg': {
      // Some encoders write padding after the end-of-image marker; allow a little.
      const tail = bytes.subarray(Math.max(0, bytes.length - 1024));
      for (let i = tail.length - 2; i >= 0; i--) if (tail[i] === 0xff && tail[i + 1] === 0xd9) return true;
      return false;
    }
    case 'image/webp': {
      // RIFF header: the size of everything after the first 8 bytes.
      const declared = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
      return declared + 8 <= bytes.length;
    }
  }
}

export async function checkImage(bytes: Uint8Array, limits: { maxBytes: number; what: string }): Promise<CheckedImage> {
  if (bytes.length === 0) throw new SiftError(ErrorCode.CorruptFile, `The ${limits.what} is empty.`);
  if (bytes.length > limits.maxBytes) {
    throw new SiftError(ErrorCode.FileTooLarge, `The ${limits.what} has ${bytes.length} bytes; the limit is ${limits.maxBytes} (VISION_MAX_IMAGE_BYTES).`);
  }
  const sniffed = await fileTypeFromBuffer(bytes);
  const allowed = `send PNG, JPEG or WebP`;
  if (!sniffed) throw new SiftError(ErrorCode.UnsupportedType, `The ${limits.what} is not an image Sift recognises; ${allowed}.`);
  if (!(VISION_IMAGE_TYPES as readonly string[]).includes(sniffed.mime)) {
    throw new SiftError(ErrorCode.UnsupportedType, `The ${limits.what} is ${sniffed.mime}, which the vision models do not take; ${allowed}.`);
  }
  const mimeType = sniffed.mime as VisionImageType;
  let size: { width?: number; height?: number };
  try {
    size = imageSize(bytes);
  } catch (error) {
    throw new SiftError(ErrorCode.CorruptFile, `The ${limits.what} looks like ${mimeType} but its header cannot be read: ${(error as Error).message}.`);
  }
  if (!size.width || !size.height) throw new SiftError(ErrorCode.CorruptFile, `The ${limits.what} (${mimeType}) has no width or height.`);
  if (!isComplete(bytes, mimeType)) {
    throw new SiftError(ErrorCode.CorruptFile, `The ${limits.what} (${mimeType}) is cut short: its end marker is missing.`);
  }
  return { mimeType, bytes: bytes.length, width: size.width, height: size.height };
}
