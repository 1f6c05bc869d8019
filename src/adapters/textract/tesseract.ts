/**
 * Local OCR with tesseract.js (Tesseract compiled to WebAssembly), for on-prem sites and laptops without AWS.
 * Everything it needs ships in npm packages: the engine in tesseract.js-core and the English LSTM model in
 * @tesseract.js-data/eng, so nothing is fetched at run time.
 *
 * Reading a whole page takes the engine about a second, and an identity document's data is all in its
 * machine-readable zone, so the MRZ is looked for first without the engine: two or three long rows of glyphs on one
 * fixed pitch (findMrzBandInPixels). Only that band is read, and when it gives an MRZ whose check digits hold, that
 * is the answer, without the printed lines. Otherwise (no such rows, a photo too poor to find them, a check digit
 * that fails, a driving licence) the whole page is read, and an MRZ band found in its lines is read the same way.
 *
 * A band is read with only MRZ characters allowed (A–Z, 0–9, `<`) and laid on the fixed character pitch every ICAO
 * 9303 MRZ is printed on. Then each character cell the band reading was unsure of is read again on its own, and the
 * TD3 layout puts right digits read as look-alike letters and back. The English model reading a whole line loses
 * count in runs of `<`, runs a `<` into the digit after it, and reads 0 as O after letters.
 */
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createCanvas, type Image, loadImage } from '@napi-rs/canvas';
import { imageSize } from 'image-size';
import Tesseract from 'tesseract.js';
import { parseMrz } from '../../domain/mrz.ts';
import { PermanentAdapterError } from '../errors.ts';
import type { ObjectRef, ObjectStore } from '../s3/index.ts';
import type { DocumentReader, TextDetection } from './index.ts';

const require = createRequire(import.meta.url);

/**
 * The quantised LSTM model, which tesseract.js itself loads for LSTM-only work; the package's other folder adds the
 * legacy engine's data, four times the size, which this reader never uses.
 */
const MODEL_VARIANT = '4.0.0_best_int';
const MODEL_DIR = join(dirname(require.resolve('@tesseract.js-data/eng')), MODEL_VARIANT);
const MRZ_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<';
/** Characters per line of the three ICAO 9303 formats: TD1 (ID cards), TD2, TD3 (passports). */
const MRZ_LINE_LENGTHS = [30, 36, 44];
/**
 * Below this (0..100) a band character is read again on its own. Clean print reads at 95+; the characters the band
 * reading gets wrong come back at 40–70.
 */
const CERTAIN_CONFIDENCE = 80;
/** Tesseract writes notices such as "Estimating resolution as …" to this file; the default is stderr. */
const QUIET = { debug_file: '/dev/null' };
/** A band cut out of the picture is read as one block of MRZ characters. */
const MRZ_BAND_READING = {
  tessedit_pageseg_mode: Tesseract.PSM.SINGLE_BLOCK,
  tessedit_char_whitelist: MRZ_ALPHABET,
};

export interface TesseractReaderOptions {
  /**
   * Where tesseract.js keeps the unpacked model between runs (it writes `eng.traineddata` there). Defaults to a
   * folder under the OS temp directory, never the working directory.
   */
  cachePath?: string;
}

export interface TesseractDocumentReader extends DocumentReader {
  /** Stops the OCR worker thread; a later call starts a new one. */
  close(): Promise<void>;
}

interface LineReading {
  text: string;
  /** 0..100 */
  confidence: number;
}

interface ReadLine extends LineReading {
  bbox: Tesseract.Bbox;
  symbols: Tesseract.Symbol[];
}

/** An MRZ line laid on its pitch: one cell per character position, `left` being the first cell's centre. */
interface MrzGrid {
  cells: Array<{ text: string; confidence: number }>;
  left: number;
  pitch: number;
  top: number;
  bottom: number;
}

type RecognizeParameters = Partial<Tesseract.WorkerParams> & { rectangle?: Tesseract.Rectangle };

export function createTesseractDocumentReader(
  store: ObjectStore,
  options: TesseractReaderOptions = {},
): TesseractDocumentReader {
  const cachePath = options.cachePath ?? join(tmpdir(), 'kyc-tesseract', MODEL_VARIANT);
  // One worker for every call: starting one (loading the model) costs more than reading a page. Its jobs queue, and
  // parameters given to one recognize() are restored after it, so concurrent calls cannot leak MRZ settings.
  let worker: Promise<Tesseract.Worker> | undefined;
  const startedWorker = (): Promise<Tesseract.Worker> => {
    worker ??= mkdir(cachePath, { recursive: true }).then(() =>
      Tesseract.createWorker('eng', Tesseract.OEM.LSTM_ONLY, {
        langPath: MODEL_DIR,
        cachePath,
        gzip: true,
        // Without a handler tesseract.js also throws a failed job's error on its message thread, which would crash
        // the process; the job's own promise still rejects with it, and that is where it is handled.
        errorHandler: () => {},
      }),
    );
    return worker;
  };

  const recognize = async (image: Buffer, parameters: RecognizeParameters): Promise<ReadLine[]> => {
    const ocr = await startedWorker();
    try {
      const { data } = await ocr.recognize(image, { ...QUIET, ...parameters } as Partial<Tesseract.RecognizeOptions>, {
        blocks: true,
        text: false,
      });
      return linesOf(data);
    } catch (error) {
      if (String(error).includes('Error attempting to read image')) {
        throw new PermanentAdapterError('UNSUPPORTED_IMAGE', 'the image cannot be decoded');
      }
      throw error;
    }
  };

  const readDoubtfulCells = async (image: Buffer, grid: MrzGrid): Promise<void> => {
    for (const [column, cell] of grid.cells.entries()) {
      if (cell.confidence >= CERTAIN_CONFIDENCE) continue;
      const [reread] = (await recognize(image, cellReadingOf(grid, column))).flatMap((line) => line.symbols);
      if (reread && reread.text.length === 1 && reread.confidence > cell.confidence) {
        grid.cells[column] = { text: reread.text, confidence: reread.confidence };
      }
    }
  };

  /** The MRZ lines in a band of the picture, each with its mean confidence; none when the band holds no MRZ line. */
  const readMrzBand = async (picture: Image, band: Tesseract.Rectangle): Promise<LineReading[]> => {
    // Cut out once: the engine decodes the image it is given on every call, and a band is read many times.
    const crop = createCanvas(band.width, band.height);
    crop
      .getContext('2d')
      .drawImage(picture, band.left, band.top, band.width, band.height, 0, 0, band.width, band.height);
    const image = crop.toBuffer('image/png');
    const grids = (await recognize(image, MRZ_BAND_READING)).flatMap(onPitchGrid);
    for (const grid of grids) await readDoubtfulCells(image, grid);
    const texts = repairTd3(grids.map((grid) => grid.cells.map((cell) => cell.text).join('')));
    return grids.map((grid, index) => ({
      text: texts[index] ?? '',
      confidence: grid.cells.reduce((sum, cell) => sum + cell.confidence, 0) / grid.cells.length,
    }));
  };

  const detection = (lines: readonly LineReading[], read: 'MRZ band' | 'page'): TextDetection => ({
    lines: lines.map((line) => line.text),
    raw: {
      engine: `tesseract.js ${MODEL_VARIANT}`,
      read,
      lines: lines.map(({ text, confidence }) => ({ text, confidence: Math.round(confidence) })),
    },
  });

  return {
    async analyzeId() {
      return null;
    },

    async detectText(ref: ObjectRef): Promise<TextDetection> {
      const { picture, bytes } = await uprightPicture(Buffer.from(await store.get(ref)));
      const band = findMrzBandInPixels(picture);
      if (band) {
        const mrzLines = await readMrzBand(picture, band);
        if (parseMrz(mrzLines.map((line) => line.text).join('\n'))?.checkDigitsValid) {
          return detection(mrzLines, 'MRZ band');
        }
      }
      const page = await recognize(bytes, { tessedit_pageseg_mode: Tesseract.PSM.AUTO });
      const pageBand = findMrzBand(page);
      const mrzLines = pageBand.length === 0 ? [] : await readMrzBand(picture, rectangleAround(pageBand, picture));
      // A band that reads as no MRZ line was a false find: the first pass's reading of it stands.
      return detection(
        mrzLines.length > 0 ? [...page.filter((line) => !pageBand.includes(line)), ...mrzLines] : page,
        'page',
      );
    },

    async close() {
      const running = worker;
      worker = undefined;
      if (running) await (await running).terminate();
    },
  };
}

/**
 * The image decoded upright (@napi-rs/canvas applies the EXIF orientation), and the bytes to give the engine for it:
 * as stored, or redrawn upright when a phone camera saved it sideways with an EXIF orientation. tesseract.js applies
 * only big-endian EXIF, and many Android phones write little-endian; read sideways, a passport's lines are vertical
 * text and its MRZ is lost.
 */
async function uprightPicture(bytes: Buffer): Promise<{ picture: Image; bytes: Buffer }> {
  const header = (() => {
    try {
      return imageSize(bytes);
    } catch {
      return undefined;
    }
  })();
  if (header?.type !== 'jpg' && header?.type !== 'png') {
    throw new PermanentAdapterError('UNSUPPORTED_IMAGE', 'not a JPEG or PNG image');
  }
  const image = await loadImage(bytes).catch((error: Error) => {
    throw new PermanentAdapterError('UNSUPPORTED_IMAGE', `the image cannot be decoded: ${error.message}`);
  });
  if ((header.orientation ?? 1) === 1) return { picture: image, bytes };
  const upright = createCanvas(image.width, image.height);
  upright.getContext('2d').drawImage(image, 0, 0);
  return { picture: image, bytes: upright.toBuffer('image/png') };
}

function linesOf(page: Tesseract.Page): ReadLine[] {
  return (page.blocks ?? [])
    .flatMap((block) => block.paragraphs.flatMap((paragraph) => paragraph.lines))
    .map((line) => ({
      text: line.text.trim(),
      confidence: line.confidence,
      bbox: line.bbox,
      symbols: line.words.flatMap((word) => word.symbols),
    }))
    .filter((line) => line.text.length > 0);
}

/**
 * An MRZ line is 30 to 44 capitals, digits and fillers with no spaces. A first pass misreads fillers and may split a
 * line, so this asks for a long run made mostly of MRZ characters with hardly a space (which tells it from a printed
 * heading in capitals).
 */
function looksLikeMrz(text: string): boolean {
  const compact = text.replace(/\s+/g, '');
  if (compact.length < 28 || text.length - compact.length > 3) return false;
  const mrzCharacters = [...compact].filter((character) => /[A-Z0-9<«‹]/.test(character)).length;
  return mrzCharacters / compact.length >= 0.85;
}

/** The lowest block of at most three MRZ-like lines that sit one under the other, as an MRZ does. */
function findMrzBand(lines: readonly ReadLine[]): ReadLine[] {
  const candidates = lines.filter((line) => looksLikeMrz(line.text)).sort((a, b) => b.bbox.y0 - a.bbox.y0);
  const band: ReadLine[] = [];
  for (const line of candidates) {
    const below = band.at(-1);
    if (below && below.bbox.y0 - line.bbox.y1 > 2 * (below.bbox.y1 - below.bbox.y0)) break;
    band.push(line);
    if (band.length === 3) break;
  }
  return band;
}

/** The band's lines with a margin, clipped to the picture. */
function rectangleAround(band: readonly ReadLine[], picture: Image): Tesseract.Rectangle {
  const left = Math.min(...band.map((line) => line.bbox.x0));
  const top = Math.min(...band.map((line) => line.bbox.y0));
  const right = Math.max(...band.map((line) => line.bbox.x1));
  const bottom = Math.max(...band.map((line) => line.bbox.y1));
  // MRZ glyphs have no descenders, so a line box is about one capital high; that much margin all round keeps the
  // band clear of the printed fields above it.
  const margin = Math.min(...band.map((line) => line.bbox.y1 - line.bbox.y0));
  return clipped(picture, { left: left - margin, top: top - margin, right: right + margin, bottom: bottom + margin });
}

function clipped(
  picture: Image,
  edges: { left: number; top: number; right: number; bottom: number },
): Tesseract.Rectangle {
  const left = Math.max(0, Math.round(edges.left));
  const top = Math.max(0, Math.round(edges.top));
  return {
    left,
    top,
    width: Math.min(picture.width, Math.round(edges.right)) - left,
    height: Math.min(picture.height, Math.round(edges.bottom)) - top,
  };
}

/** Pictures are searched for an MRZ at no more than this width; a phone photo's detail is not needed to find one. */
const SEARCH_WIDTH = 1600;
/** A row of glyphs is taken for an MRZ line from this many on one pitch: a TD1 line has 30, with fillers. */
const MRZ_MIN_GLYPHS = 28;

interface GlyphRow {
  top: number;
  bottom: number;
  left: number;
  right: number;
  pitch: number;
}

/**
 * Where an MRZ sits, found from the pixels alone: two or three rows, one under the other, each of at least
 * MRZ_MIN_GLYPHS dark blobs spaced at one pitch with no word gaps, as OCR-B is printed; printed fields in a
 * proportional font with spaces between words have no such run. Null when there is none; a false find costs one band
 * reading, since an answer stands only when its check digits hold.
 */
function findMrzBandInPixels(picture: Image): Tesseract.Rectangle | null {
  const scale = Math.min(1, SEARCH_WIDTH / picture.width);
  const width = Math.max(1, Math.round(picture.width * scale));
  const height = Math.max(1, Math.round(picture.height * scale));
  const small = createCanvas(width, height);
  small.getContext('2d').drawImage(picture, 0, 0, width, height);
  const dark = darkPixels(small.getContext('2d').getImageData(0, 0, width, height).data);
  const rows = glyphRows(dark, width, height);
  // From the bottom up: the MRZ is the lowest text on a data page or card.
  for (let last = rows.length - 1; last >= 1; last--) {
    const band = [rows[last] as GlyphRow];
    for (let above = last - 1; above >= 0 && band.length < 3; above--) {
      const row = rows[above] as GlyphRow;
      const below = band.at(-1) as GlyphRow;
      const lineHeight = below.bottom - below.top;
      if (below.top - row.bottom > 2.5 * lineHeight) break;
      const samePitch = Math.abs(row.pitch - below.pitch) <= 0.15 * below.pitch;
      if (samePitch && Math.abs(row.left - below.left) <= 2 * below.pitch) band.push(row);
    }
    if (band.length < 2) continue;
    const margin = Math.max(...band.map((row) => row.bottom - row.top));
    return clipped(picture, {
      left: (Math.min(...band.map((row) => row.left)) - margin) / scale,
      top: (Math.min(...band.map((row) => row.top)) - margin) / scale,
      right: (Math.max(...band.map((row) => row.right)) + margin) / scale,
      bottom: (Math.max(...band.map((row) => row.bottom)) + margin) / scale,
    });
  }
  return null;
}

/** Ink against paper: a pixel darker than Otsu's threshold over the picture's luma. */
function darkPixels(rgba: Uint8ClampedArray): Uint8Array {
  const luma = new Uint8Array(rgba.length / 4);
  const histogram = new Array<number>(256).fill(0);
  for (let pixel = 0; pixel < luma.length; pixel++) {
    const value =
      (77 * (rgba[pixel * 4] ?? 0) + 150 * (rgba[pixel * 4 + 1] ?? 0) + 29 * (rgba[pixel * 4 + 2] ?? 0)) >> 8;
    luma[pixel] = value;
    histogram[value] = (histogram[value] ?? 0) + 1;
  }
  const total = luma.length;
  const weightedTotal = histogram.reduce((sum, count, value) => sum + count * value, 0);
  let [below, weightedBelow, threshold, bestSpread] = [0, 0, 0, -1];
  for (let value = 0; value < 256; value++) {
    below += histogram[value] ?? 0;
    weightedBelow += value * (histogram[value] ?? 0);
    if (below === 0 || below === total) continue;
    const meanBelow = weightedBelow / below;
    const meanAbove = (weightedTotal - weightedBelow) / (total - below);
    const spread = below * (total - below) * (meanBelow - meanAbove) ** 2;
    if (spread > bestSpread) [bestSpread, threshold] = [spread, value];
  }
  return luma.map((value) => (value <= threshold ? 1 : 0));
}

/**
 * Text lines (runs of pixel rows crossing many dark blobs), each with its longest run of glyphs on one pitch; only
 * those with at least MRZ_MIN_GLYPHS such glyphs are returned, top to bottom.
 */
function glyphRows(dark: Uint8Array, width: number, height: number): GlyphRow[] {
  const isTextRow = (y: number): boolean => {
    let starts = 0;
    for (let x = 1; x < width; x++) if (dark[y * width + x] === 1 && dark[y * width + x - 1] === 0) starts += 1;
    return starts >= MRZ_MIN_GLYPHS / 2;
  };
  const rows: GlyphRow[] = [];
  let y = 0;
  while (y < height) {
    if (!isTextRow(y)) {
      y += 1;
      continue;
    }
    const top = y;
    while (y < height && isTextRow(y)) y += 1;
    const row = pitchedGlyphs(dark, width, top, y);
    if (row) rows.push(row);
  }
  return rows;
}

/** The longest run of glyphs between two pixel rows whose centres step by one pitch, if it is MRZ-long. */
function pitchedGlyphs(dark: Uint8Array, width: number, top: number, bottom: number): GlyphRow | null {
  const inked = (x: number): boolean => {
    for (let y = top; y < bottom; y++) if (dark[y * width + x] === 1) return true;
    return false;
  };
  const glyphs: Array<{ left: number; right: number }> = [];
  for (let x = 0; x < width; x++) {
    if (!inked(x)) continue;
    const left = x;
    while (x < width && inked(x)) x += 1;
    glyphs.push({ left, right: x });
  }
  const centres = glyphs.map((glyph) => (glyph.left + glyph.right) / 2);
  const steps = centres.slice(1).map((centre, index) => centre - (centres[index] ?? centre));
  const pitch = [...steps].sort((a, b) => a - b)[Math.floor(steps.length / 2)] ?? 0;
  if (pitch <= 0) return null;
  let best = { start: 0, end: 0 };
  let start = 0;
  for (const [index, step] of steps.entries()) {
    if (step < 0.7 * pitch || step > 1.35 * pitch) start = index + 1;
    else if (index + 1 - start > best.end - best.start) best = { start, end: index + 1 };
  }
  if (best.end - best.start + 1 < MRZ_MIN_GLYPHS) return null;
  return {
    top,
    bottom,
    left: glyphs[best.start]?.left ?? 0,
    right: glyphs[best.end]?.right ?? width,
    pitch,
  };
}

function cellReadingOf(grid: MrzGrid, column: number): RecognizeParameters {
  const height = grid.bottom - grid.top;
  // A little wider and taller than the cell, so a glyph printed slightly off the pitch is still whole.
  const width = grid.pitch * 1.4;
  return {
    rectangle: {
      left: Math.max(0, Math.round(grid.left + column * grid.pitch - width / 2)),
      top: Math.max(0, Math.round(grid.top - height * 0.3)),
      width: Math.round(width),
      height: Math.round(height * 1.6),
    },
    tessedit_pageseg_mode: Tesseract.PSM.SINGLE_CHAR,
    tessedit_char_whitelist: MRZ_ALPHABET,
  };
}

/**
 * Places each recognised character in the column its position gives on the line's fixed pitch; a line that does not
 * span a standard MRZ width is no MRZ line. A column nothing landed in (a filler the line reading dropped) and a
 * glyph wider than a cell (two characters run together) are left with no confidence, to be read again alone.
 */
function onPitchGrid(line: ReadLine): MrzGrid[] {
  const centres = line.symbols.map((symbol) => (symbol.bbox.x0 + symbol.bbox.x1) / 2);
  if (centres.length < 2) return [];
  const gaps = centres.slice(1).map((centre, index) => centre - (centres[index] ?? centre));
  const roughPitch = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)] ?? 1;
  // Column by column from the left, each gap rounded to whole pitches: a dropped filler leaves a gap of two.
  const columns = [0];
  for (const gap of gaps) columns.push((columns.at(-1) ?? 0) + Math.round(gap / roughPitch));
  const length = MRZ_LINE_LENGTHS.find((standard) => Math.abs(standard - ((columns.at(-1) ?? 0) + 1)) <= 2);
  if (length === undefined) return [];
  const isMerged = (symbol: Tesseract.Symbol): boolean => symbol.bbox.x1 - symbol.bbox.x0 > 1.3 * roughPitch;
  // The exact pitch and origin by least squares over single glyphs: rounding in pixel boxes makes any one gap off
  // by up to a pixel, which over 44 characters would drift a whole cell.
  const fit = line.symbols.flatMap((symbol, index) =>
    isMerged(symbol) ? [] : [{ column: columns[index] ?? 0, centre: centres[index] ?? 0 }],
  );
  if (fit.length < 2) return [];
  const meanColumn = fit.reduce((sum, point) => sum + point.column, 0) / fit.length;
  const meanCentre = fit.reduce((sum, point) => sum + point.centre, 0) / fit.length;
  const covariance = fit.reduce((sum, point) => sum + (point.column - meanColumn) * (point.centre - meanCentre), 0);
  const variance = fit.reduce((sum, point) => sum + (point.column - meanColumn) ** 2, 0);
  const pitch = variance > 0 ? covariance / variance : roughPitch;
  const cells = Array.from({ length }, () => ({ text: '<', confidence: 0 }));
  line.symbols.forEach((symbol, index) => {
    const cell = cells[columns[index] ?? length];
    const confidence = isMerged(symbol) ? 0 : symbol.confidence;
    if (cell && confidence > cell.confidence) Object.assign(cell, { text: symbol.text, confidence });
  });
  return [{ cells, left: meanCentre - pitch * meanColumn, pitch, top: line.bbox.y0, bottom: line.bbox.y1 }];
}

const AS_DIGIT: Record<string, string> = { O: '0', Q: '0', D: '0', I: '1', L: '1', Z: '2', S: '5', G: '6', B: '8' };
const AS_LETTER: Record<string, string> = { '0': 'O', '1': 'I', '2': 'Z', '5': 'S', '6': 'G', '8': 'B' };
/** Positions of TD3 line 2 that ICAO 9303 fills with digits: check digits, birth date, expiry date. */
const TD3_DIGIT_POSITIONS = new Set([9, 13, 14, 15, 16, 17, 18, 19, 21, 22, 23, 24, 25, 26, 27, 42, 43]);
const TD3_LETTER_POSITIONS = new Set([10, 11, 12, 20]);

/**
 * Where the TD3 layout allows only digits or only letters, a look-alike of the other kind is a misreading, however
 * confident: after "GBR" the model reads a birth date's 0 as O, too sure of it for the cell to be read again.
 * Positions that take both (document and personal numbers) and anything that is not a two-line TD3 are left as read.
 */
function repairTd3(lines: string[]): string[] {
  const [first, second] = lines;
  if (lines.length !== 2 || first?.length !== 44 || !first.startsWith('P') || second?.length !== 44) return lines;
  const repaired = (line: string, lookAlikesAt: (position: number) => Record<string, string> | undefined): string =>
    [...line].map((character, position) => lookAlikesAt(position)?.[character] ?? character).join('');
  return [
    // Issuing state and names are letters only.
    repaired(first, (position) => (position >= 2 ? AS_LETTER : undefined)),
    repaired(second, (position) =>
      TD3_DIGIT_POSITIONS.has(position) ? AS_DIGIT : TD3_LETTER_POSITIONS.has(position) ? AS_LETTER : undefined,
    ),
  ];
}
