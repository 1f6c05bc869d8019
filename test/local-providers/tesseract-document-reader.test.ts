import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentAdapterError } from '../../src/adapters/errors.ts';
import { createFolderObjectStore } from '../../src/adapters/s3/folder.ts';
import type { ObjectStore } from '../../src/adapters/s3/index.ts';
import { createTesseractDocumentReader, type TesseractDocumentReader } from '../../src/adapters/textract/tesseract.ts';
import {
  ENGINE_CORPUS,
  passportMrz,
  randomPerson,
  renderPassport,
  type SyntheticPerson,
  sampleFaces,
  seededRng,
} from '../../src/demo/synthetic-documents.ts';
import { parseMrz } from '../../src/domain/mrz.ts';
import { timingSummary } from './timing.ts';

const PASSPORTS = 20;
const TODAY = ENGINE_CORPUS.today;

function expectedMrz(person: SyntheticPerson) {
  return parseMrz(passportMrz(person).join('\n'));
}

/**
 * The JPEG with an EXIF block holding only an orientation tag, inserted after the start-of-image marker. Little-endian
 * ("II"), as many Android phones write it; tesseract.js notices only the big-endian form by itself.
 */
function withExifOrientation(jpeg: Uint8Array, orientation: number): Buffer {
  // TIFF header, one IFD entry: tag 0x0112 (Orientation), type SHORT, count 1, the value; no next IFD.
  const tiff = [0x49, 0x49, 0x2a, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, orientation, 0, 0, 0, 0, 0, 0, 0];
  const exif = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), Buffer.from(tiff)]);
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, 0, exif.length + 2]), exif]);
  return Buffer.concat([jpeg.subarray(0, 2), app1, jpeg.subarray(2)]);
}

describe('tesseract.js document reader', () => {
  let root: string;
  let store: ObjectStore;
  let reader: TesseractDocumentReader;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'kyc-ocr-'));
    store = createFolderObjectStore(root);
    reader = createTesseractDocumentReader(store, { cachePath: join(root, 'tesseract-cache') });
  });
  afterAll(async () => {
    await reader.close();
    await rm(root, { recursive: true, force: true });
  });

  it(`reads the MRZ of generated passports, check digits and all (${PASSPORTS} people)`, async () => {
    const rng = seededRng(ENGINE_CORPUS.passportSeed);
    const faces = await sampleFaces();
    const people = Array.from({ length: PASSPORTS }, () => randomPerson(rng, { today: TODAY }));
    // The seed is chosen so the sample holds the cases that stress MRZ reading.
    expect(people.some((person) => person.surname.includes('-'))).toBe(true);
    expect(people.some((person) => person.givenNames.includes('-'))).toBe(true);
    expect(people.some((person) => person.expiryDate < '2025-06-01')).toBe(true);

    const milliseconds: number[] = [];
    const misread: string[] = [];
    for (const [index, person] of people.entries()) {
      const ref = { bucket: 'documents', key: `passport-${index}.jpg` };
      const face = faces[index % faces.length]?.image;
      if (!face) throw new Error('no sample face');
      await store.put(ref, await renderPassport(person, face), 'image/jpeg');
      const started = performance.now();
      const detection = await reader.detectText(ref);
      milliseconds.push(performance.now() - started);

      const read = parseMrz(detection.lines.join('\n'));
      const expected = expectedMrz(person);
      if (!read?.checkDigitsValid || !isDeepStrictEqual(read, expected)) {
        misread.push(`${person.surname}: ${detection.lines.slice(-2).join(' / ')}`);
      }
      // raw goes into doc_scans.textract_json: small and plain JSON.
      expect(JSON.parse(JSON.stringify(detection.raw))).toEqual(detection.raw);
      expect(JSON.stringify(detection.raw).length).toBeLessThan(8_000);
    }
    console.log(`tesseract.js MRZ: ${PASSPORTS - misread.length}/${PASSPORTS} read; ${timingSummary(milliseconds)}`);
    if (misread.length > 0) console.log(`misread:\n${misread.join('\n')}`);
    expect(misread.length).toBeLessThanOrEqual(1);
  });

  it('reads only the MRZ band of a passport, and the whole page when it has no MRZ', async () => {
    const [face] = await sampleFaces();
    if (!face) throw new Error('no sample face');
    const person = randomPerson(seededRng(7), { today: TODAY });
    const passport = { bucket: 'documents', key: 'passport.jpg' };
    await store.put(passport, await renderPassport(person, face.image), 'image/jpeg');
    const band = await reader.detectText(passport);
    expect(band.lines).toEqual(passportMrz(person));
    expect(band.raw).toMatchObject({ read: 'MRZ band' });

    // The same page cut off above its MRZ: the printed fields are all there is to read.
    const page = await loadImage(Buffer.from(await store.get(passport)));
    const withoutMrz = createCanvas(page.width, Math.round(page.height * 0.75));
    withoutMrz.getContext('2d').drawImage(page, 0, 0);
    const printed = { bucket: 'documents', key: 'printed.jpg' };
    await store.put(printed, await withoutMrz.encode('jpeg', 90), 'image/jpeg');
    const { lines, raw } = await reader.detectText(printed);
    expect(raw).toMatchObject({ read: 'page' });
    expect(lines).toContain('UNITED KINGDOM OF GREAT BRITAIN AND NORTHERN IRELAND');
    expect(lines.some((line) => line.includes(person.surname.toUpperCase()))).toBe(true);
  });

  it('reads a passport photographed sideways, as phones store portrait shots (EXIF orientation 6)', async () => {
    const [face] = await sampleFaces();
    if (!face) throw new Error('no sample face');
    const person = randomPerson(seededRng(11), { today: TODAY });
    const upright = await loadImage(Buffer.from(await renderPassport(person, face.image)));
    const sideways = createCanvas(upright.height, upright.width);
    const context = sideways.getContext('2d');
    context.translate(0, upright.width);
    context.rotate(-Math.PI / 2);
    context.drawImage(upright, 0, 0);
    const ref = { bucket: 'documents', key: 'sideways.jpg' };
    await store.put(ref, withExifOrientation(await sideways.encode('jpeg', 90), 6), 'image/jpeg');
    const read = parseMrz((await reader.detectText(ref)).lines.join('\n'));
    expect(read).toEqual(expectedMrz(person));
  });

  it('answers null from analyzeId: tesseract has no identity-document analysis', async () => {
    expect(await reader.analyzeId({ bucket: 'documents', key: 'printed.jpg' })).toBeNull();
  });

  it.each([
    ['a text file', Buffer.from('not an image at all')],
    ['a truncated JPEG', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46])],
  ])('rejects %s as UNSUPPORTED_IMAGE', async (_, bytes) => {
    const ref = { bucket: 'documents', key: 'not-an-image.bin' };
    await store.put(ref, bytes, 'application/octet-stream');
    const failure = await reader.detectText(ref).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PermanentAdapterError);
    expect((failure as PermanentAdapterError).reason).toBe('UNSUPPORTED_IMAGE');
  });
});
