/**
 * What an uploaded ID document or selfie must be before it is stored: a whole JPEG or PNG, recognised by its bytes
 * (not its name or declared type), within the pixel limit. Truncated files, PNGs with a broken chunk CRC and
 * decompression bombs are refused here rather than left for OCR to choke on.
 */
import { crc32 } from 'node:zlib';
import { fileTypeFromBuffer } from 'file-type';
import { imageSize } from 'image-size';

export type ImageCheck =
  | { ok: true; mime: 'image/jpeg' | 'image/png'; extension: 'jpg' | 'png'; width: number; height: number }
  | { ok: false; code: string; message: string };

const refuse = (code: string, message: string): ImageCheck => ({ ok: false, code, message });

/** A JPEG ends with the EOI marker; anything cut short does not (trailing padding after it is tolerated). */
function jpegIsComplete(bytes: Uint8Array): boolean {
  const tail = bytes.subarray(Math.max(0, bytes.length - 64));
  for (let i = tail.length - 2; i >= 0; i -= 1) if (tail[i] === 0xff && tail[i + 1] === 0xd9) return true;
  return false;
}

/** Walks the PNG chunks after the 8-byte signature, checking every CRC, until IEND. */
function pngProblem(bytes: Uint8Array): string | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 8;
  while (offset + 12 <= bytes.length) {
    const length = view.getUint32(offset);
    const end = offset + 12 + length;
    if (end > bytes.length) return 'TRUNCATED_IMAGE';
    const typeAndData = bytes.subarray(offset + 4, offset + 8 + length);
    if (crc32(typeAndData) !== view.getUint32(offset + 8 + length)) return 'CORRUPT_IMAGE';
    if (String.fromCharCode(...bytes.subarray(offset + 4, offset + 8)) === 'IEND') return null;
    offset = end;
  }
  return 'TRUNCATED_IMAGE';
}

export async function checkImage(bytes: Uint8Array, maxPixels: number): Promise<ImageCheck> {
  if (bytes.length === 0) return refuse('EMPTY_FILE', 'the file is empty');
  const type = await fileTypeFromBuffer(bytes);
  if (type?.mime !== 'image/jpeg' && type?.mime !== 'image/png') {
    return refuse('UNSUPPORTED_FILE_TYPE', 'only JPEG and PNG images are accepted');
  }
  if (type.mime === 'image/jpeg' && !jpegIsComplete(bytes)) return refuse('TRUNCATED_IMAGE', 'the JPEG is incomplete');
  if (type.mime === 'image/png') {
    const problem = pngProblem(bytes);
    if (problem)
      return refuse(problem, problem === 'CORRUPT_IMAGE' ? 'a PNG chunk fails its CRC' : 'the PNG is incomplete');
  }
  let size: { width?: number; height?: number };
  try {
    size = imageSize(bytes);
  } catch {
    return refuse('CORRUPT_IMAGE', 'the image header cannot be read');
  }
  const { width = 0, height = 0 } = size;
  if (width === 0 || height === 0) return refuse('CORRUPT_IMAGE', 'the image has no dimensions');
  if (width * height > maxPixels) {
    return refuse('IMAGE_TOO_LARGE', `the image is ${width}×${height}; at most ${maxPixels} pixels are accepted`);
  }
  return type.mime === 'image/jpeg'
    ? { ok: true, mime: 'image/jpeg', extension: 'jpg', width, height }
    : { ok: true, mime: 'image/png', extension: 'png', width, height };
}
