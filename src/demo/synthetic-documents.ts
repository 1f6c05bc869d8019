/**
 * Synthetic identity documents for the demo and the tests of the local providers: a UK-style passport data page
 * (marked SPECIMEN) with a valid TD3 MRZ, selfies of the same face under different conditions, and sample faces taken
 * from photos that ship inside an npm package. Nothing here is a real person's document.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type Canvas, createCanvas, GlobalFonts, type Image, loadImage, type SKRSContext2D } from '@napi-rs/canvas';
import { formatTd3Mrz } from '../domain/mrz.ts';
import type { SyntheticPerson } from './synthetic-people.ts';

export {
  type RandomPersonOptions,
  type Rng,
  randomPerson,
  type SyntheticPerson,
  seededRng,
} from './synthetic-people.ts';

const require = createRequire(import.meta.url);

// DejaVu ships as TrueType inside its npm package, so rendering needs no system fonts. No free OCR-B font is
// published on npm; DejaVu Sans Mono Bold is the nearest stand-in: monospaced, heavy like OCR-B, with 0/O and 1/I
// distinct.
const fontDir = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
GlobalFonts.registerFromPath(join(fontDir, 'DejaVuSans.ttf'), 'Synthetic Sans');
GlobalFonts.registerFromPath(join(fontDir, 'DejaVuSans-Bold.ttf'), 'Synthetic Sans Bold');
GlobalFonts.registerFromPath(join(fontDir, 'DejaVuSansMono-Bold.ttf'), 'Synthetic Mono');
GlobalFonts.registerFromPath(join(fontDir, 'DejaVuSerif-Italic.ttf'), 'Synthetic Signature');

/** The data page is drawn at 10 pixels per millimetre of a 125 × 88 mm ICAO TD3 page. */
const PX_PER_MM = 10;
const PAGE = { width: 125 * PX_PER_MM, height: 88 * PX_PER_MM };
/** ICAO 9303 puts MRZ characters on a 2.54 mm pitch (10 per inch). */
const MRZ_PITCH = 2.54 * PX_PER_MM;
const MRZ_BASELINES = [75.5 * PX_PER_MM, 83 * PX_PER_MM];
const PHOTO = { x: 5 * PX_PER_MM, y: 16 * PX_PER_MM, width: 35 * PX_PER_MM, height: 45 * PX_PER_MM };

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const MOIS = ['JAN', 'FEV', 'MARS', 'AVR', 'MAI', 'JUIN', 'JUIL', 'AOUT', 'SEPT', 'OCT', 'NOV', 'DEC'];

/** "1985-03-12" as a UK passport prints it: "12 MAR /MARS 85". */
function printedDate(iso: string): string {
  const [year, month, day] = iso.split('-');
  const index = Number(month) - 1;
  return `${day} ${MONTHS[index]} /${MOIS[index]} ${year?.slice(2)}`;
}

async function decodeFace(face: Uint8Array): Promise<Image> {
  return loadImage(Buffer.from(face.buffer, face.byteOffset, face.byteLength));
}

/** Draws `image` scaled to cover the rectangle, cropping the overflow evenly (CSS `object-fit: cover`). */
function drawCovering(
  ctx: SKRSContext2D,
  image: Image,
  target: { x: number; y: number; width: number; height: number },
): void {
  const scale = Math.max(target.width / image.width, target.height / image.height);
  const width = target.width / scale;
  const height = target.height / scale;
  ctx.drawImage(
    image,
    (image.width - width) / 2,
    (image.height - height) / 2,
    width,
    height,
    target.x,
    target.y,
    target.width,
    target.height,
  );
}

/** Fine interlaced sine curves, as a stand-in for the guilloché print that makes a data page hard to forge. */
function drawGuilloche(ctx: SKRSContext2D): void {
  const background = ctx.createLinearGradient(0, 0, PAGE.width, PAGE.height);
  background.addColorStop(0, '#f4e8f0');
  background.addColorStop(0.5, '#eef0f7');
  background.addColorStop(1, '#f1e9f4');
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, PAGE.width, PAGE.height);
  ctx.lineWidth = 1;
  for (let wave = 0; wave < 28; wave++) {
    ctx.strokeStyle = wave % 2 === 0 ? 'rgba(170, 120, 170, 0.25)' : 'rgba(110, 140, 190, 0.25)';
    ctx.beginPath();
    for (let x = 0; x <= PAGE.width; x += 4) {
      const y = 40 + wave * 24 + 14 * Math.sin(x / 37 + wave * 0.7) + 6 * Math.sin(x / 11 + wave);
      if (x === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    }
    ctx.stroke();
  }
}

function drawField(ctx: SKRSContext2D, x: number, y: number, label: string, value: string): void {
  ctx.fillStyle = '#41507a';
  ctx.font = '15px "Synthetic Sans"';
  ctx.fillText(label, x, y);
  ctx.fillStyle = '#141414';
  ctx.font = '25px "Synthetic Sans Bold"';
  ctx.fillText(value, x, y + 29);
}

function drawMrz(ctx: SKRSContext2D, lines: readonly string[]): void {
  // The clear zone ICAO requires around the MRZ: no background print, nothing overlapping.
  ctx.fillStyle = '#fbfbfd';
  ctx.fillRect(0, 68 * PX_PER_MM, PAGE.width, PAGE.height - 68 * PX_PER_MM);
  ctx.fillStyle = '#101010';
  // Capitals about one pitch high (DejaVu's cap height is 0.73 em), as OCR-B's are, which leaves a gap between
  // glyphs; fillers drawn edge to edge merge into a zigzag that OCR reads as letters.
  ctx.font = `${Math.round(MRZ_PITCH / 0.75)}px "Synthetic Mono"`;
  for (const [row, line] of lines.entries()) {
    const baseline = MRZ_BASELINES[row] ?? 0;
    for (const [column, character] of [...line].entries()) {
      ctx.fillText(character, 6 * PX_PER_MM + column * MRZ_PITCH, baseline);
    }
  }
}

/** A passport data page in the style of a UK passport, clearly marked SPECIMEN, as a JPEG. */
export async function renderPassport(person: SyntheticPerson, face: Uint8Array): Promise<Uint8Array> {
  const canvas = createCanvas(PAGE.width, PAGE.height);
  const ctx = canvas.getContext('2d');
  drawGuilloche(ctx);

  ctx.fillStyle = '#2b2250';
  ctx.font = '19px "Synthetic Sans Bold"';
  ctx.fillText('UNITED KINGDOM OF GREAT BRITAIN AND NORTHERN IRELAND', 5 * PX_PER_MM, 8 * PX_PER_MM);
  ctx.font = '17px "Synthetic Sans"';
  ctx.fillText('PASSPORT / PASSEPORT', 5 * PX_PER_MM, 12 * PX_PER_MM);

  drawCovering(ctx, await decodeFace(face), PHOTO);
  ctx.strokeStyle = '#6d6d80';
  ctx.strokeRect(PHOTO.x, PHOTO.y, PHOTO.width, PHOTO.height);

  const column = 44 * PX_PER_MM;
  const row = (n: number): number => 18 * PX_PER_MM + n * 6.4 * PX_PER_MM;
  drawField(ctx, column, row(0), 'Type/Type', 'P');
  drawField(ctx, column + 20 * PX_PER_MM, row(0), 'Code/Code', 'GBR');
  drawField(ctx, column + 42 * PX_PER_MM, row(0), 'Passport No./Passeport No.', person.passportNumber);
  drawField(ctx, column, row(1), 'Surname/Nom (1)', person.surname.toUpperCase());
  drawField(ctx, column, row(2), 'Given names/Prénoms (2)', person.givenNames.toUpperCase());
  drawField(ctx, column, row(3), 'Nationality/Nationalité (3)', 'BRITISH CITIZEN');
  drawField(ctx, column, row(4), 'Date of birth/Date de naissance (4)', printedDate(person.birthDate));
  drawField(ctx, column, row(5), 'Sex/Sexe (5)', person.sex);
  drawField(ctx, column + 20 * PX_PER_MM, row(5), 'Place of birth/Lieu de naissance (6)', person.placeOfBirth);
  drawField(ctx, column, row(6), 'Date of issue/Date de délivrance (7)', printedDate(person.issueDate));
  drawField(ctx, column + 42 * PX_PER_MM, row(6), 'Authority/Autorité (8)', 'HMPO');
  drawField(ctx, column, row(7), "Date of expiry/Date d'expiration (9)", printedDate(person.expiryDate));
  ctx.fillStyle = '#41507a';
  ctx.font = '15px "Synthetic Sans"';
  ctx.fillText("Holder's signature/Signature du titulaire (10)", column + 42 * PX_PER_MM, row(7));
  ctx.fillStyle = '#1d2a6b';
  ctx.font = '30px "Synthetic Signature"';
  ctx.fillText(`${person.givenNames.split(' ')[0]} ${person.surname}`, column + 44 * PX_PER_MM, row(7) + 36);

  drawSpecimenMark(ctx);
  drawMrz(ctx, passportMrz(person));
  return encodeJpeg(canvas);
}

/** The two MRZ lines printed on the person's passport: what an OCR reading of it should give back. */
export function passportMrz(person: SyntheticPerson): [string, string] {
  return formatTd3Mrz({
    issuingState: 'GBR',
    surname: person.surname,
    givenNames: person.givenNames,
    documentNumber: person.passportNumber,
    nationality: 'GBR',
    birthDate: person.birthDate,
    sex: person.sex,
    expiryDate: person.expiryDate,
  });
}

/** Diagonal across the photo and the printed fields, stopping short of the MRZ so that stays clean to read. */
function drawSpecimenMark(ctx: SKRSContext2D): void {
  ctx.save();
  ctx.translate(PAGE.width / 2, 38 * PX_PER_MM);
  ctx.rotate(-0.32);
  ctx.fillStyle = 'rgba(200, 30, 40, 0.33)';
  ctx.font = '150px "Synthetic Sans Bold"';
  ctx.textAlign = 'center';
  ctx.fillText('SPECIMEN', 0, 50);
  ctx.restore();
}

export interface SelfieVariant {
  /** As a front camera shows it. */
  mirror?: boolean;
  /** Multiplies every pixel's brightness: 1 leaves it, 0.6 darkens, 1.4 brightens. */
  brightness?: number;
  /** Zooms in on a part of the photo: `zoom` ≥ 1, and the centre shifted by fractions of the width and height. */
  crop?: { zoom?: number; shiftX?: number; shiftY?: number };
}

/**
 * The local engines' calibration corpus, shared by their tests and `npm run bench -- engines`: the passports' seed and
 * "today", and four selfies per person, each unlike the passport photo in framing, mirroring or light.
 */
export const ENGINE_CORPUS = { passportSeed: 20_250_601, today: new Date('2025-06-01T00:00:00Z') };

export function selfieVariants(personIndex: number): SelfieVariant[] {
  const shiftX = personIndex % 2 === 0 ? 0.04 : -0.04;
  return [
    { mirror: true, brightness: 0.65, crop: { zoom: 1.2, shiftX, shiftY: -0.03 } },
    { mirror: true, brightness: 1.35, crop: { zoom: 1.2, shiftX: -shiftX, shiftY: -0.03 } },
    { crop: { zoom: 1.35, shiftX: 0.05, shiftY: -0.04 } },
    { mirror: true },
  ];
}

const SELFIE = { width: 720, height: 960 };

/** A phone-camera selfie of the face: portrait 3:4, optionally mirrored, re-lit or framed differently. */
export async function renderSelfie(face: Uint8Array, variant: SelfieVariant = {}): Promise<Uint8Array> {
  const image = await decodeFace(face);
  const canvas = createCanvas(SELFIE.width, SELFIE.height);
  const ctx = canvas.getContext('2d');
  const zoom = Math.max(1, variant.crop?.zoom ?? 1);
  const coverScale = Math.max(SELFIE.width / image.width, SELFIE.height / image.height) * zoom;
  const sourceWidth = SELFIE.width / coverScale;
  const sourceHeight = SELFIE.height / coverScale;
  const clamp = (value: number, max: number): number => Math.min(Math.max(value, 0), max);
  const sourceX = clamp(
    (image.width - sourceWidth) / 2 + (variant.crop?.shiftX ?? 0) * image.width,
    image.width - sourceWidth,
  );
  const sourceY = clamp(
    (image.height - sourceHeight) / 2 + (variant.crop?.shiftY ?? 0) * image.height,
    image.height - sourceHeight,
  );
  if (variant.mirror) {
    ctx.translate(SELFIE.width, 0);
    ctx.scale(-1, 1);
  }
  ctx.filter = `brightness(${variant.brightness ?? 1})`;
  ctx.drawImage(image, sourceX, sourceY, sourceWidth, sourceHeight, 0, 0, SELFIE.width, SELFIE.height);
  return encodeJpeg(canvas);
}

function encodeJpeg(canvas: Canvas): Promise<Uint8Array> {
  return canvas.encode('jpeg', 90);
}

/**
 * Faces in the group photos that @vladmandic/face-api ships, under its MIT licence, as demo/sample*.jpg. Boxes are
 * [x, y, width, height] as @vladmandic/human's detector reported them. Each is a different person: sample1 shows one
 * of the sample3 women again, and the others repeat people too, so only these three photos are used.
 */
const SAMPLE_FACE_BOXES = [
  { photo: 'sample3.jpg', box: [515, 295, 361, 361] },
  { photo: 'sample3.jpg', box: [1005, 187, 367, 367] },
  { photo: 'sample3.jpg', box: [1372, 244, 409, 409] },
  { photo: 'sample5.jpg', box: [727, 93, 272, 273] },
  { photo: 'sample6.jpg', box: [177, 456, 360, 361] },
  { photo: 'sample6.jpg', box: [587, 300, 384, 384] },
  { photo: 'sample6.jpg', box: [1402, 236, 377, 377] },
] as const;

/** Head-and-shoulders portraits (35:45, like a passport photo) of seven different people, as JPEGs. */
export async function sampleFaces(): Promise<Array<{ id: string; image: Uint8Array }>> {
  const demoDir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
  const photos = new Map<string, Promise<Image>>();
  return Promise.all(
    SAMPLE_FACE_BOXES.map(async ({ photo, box: [x, y, width, height] }, index) => {
      let decoded = photos.get(photo);
      if (!decoded) {
        decoded = readFile(join(demoDir, photo)).then((bytes) => loadImage(bytes));
        photos.set(photo, decoded);
      }
      const image = await decoded;
      const portraitHeight = Math.min(height * 1.5, image.height);
      const portraitWidth = (portraitHeight * 35) / 45;
      const left = Math.min(Math.max(x + width / 2 - portraitWidth / 2, 0), image.width - portraitWidth);
      const top = Math.min(Math.max(y - height * 0.2, 0), image.height - portraitHeight);
      const canvas = createCanvas(420, 540);
      canvas.getContext('2d').drawImage(image, left, top, portraitWidth, portraitHeight, 0, 0, 420, 540);
      return { id: `face-api-${photo.replace('.jpg', '')}-${index + 1}`, image: await encodeJpeg(canvas) };
    }),
  );
}
