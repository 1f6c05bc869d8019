/**
 * Local OCR with tesseract.js (Tesseract compiled to WebAssembly), for on-prem sites and laptops without AWS.
 * Everything it needs ships in npm packages: the engine in tesseract.js-core and the English LSTM model in
 * @tesseract.js-data/eng, so nothing is fetched at run time.
 *
 * A page is read in up to three steps. The first reads everything. If it finds lines shaped like a machine-readable
 * zone, that band is read again with only MRZ characters allowed (A–Z, 0–9, `<`) and laid on the fixed character
 * pitch every ICAO 9303 MRZ is printed on. Last, each character cell the band reading was unsure of is read again on
 * its own, and the TD3 layout puts right digits read as look-alike letters and back. The English model reading a
 * whole line loses count in runs of `<`, runs a `<` into the digit after it, and reads 0 as O after letters.
 */
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { imageSize } from 'image-size';
import Tesseract from 'tesseract.js';
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

interface ReadLine {
  text: string;
  /** 0..100 */
  confidence: number;
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

  return {
    async analyzeId() {
      return null;
    },

    async detectText(ref: ObjectRef): Promise<TextDetection> {
      const image = await uprightJpegOrPng(Buffer.from(await store.get(ref)));
      const page = await recognize(image, { tessedit_pageseg_mode: Tesseract.PSM.AUTO });
      const band = findMrzBand(page);
      const grids = band.length === 0 ? [] : (await recognize(image, bandReadingOf(band))).flatMap(onPitchGrid);
      for (const grid of grids) await readDoubtfulCells(image, grid);
      const mrzTexts = repairTd3(grids.map((grid) => grid.cells.map((cell) => cell.text).join('')));
      const mrzLines = grids.map((grid, index) => ({
        text: mrzTexts[index] ?? '',
        confidence: grid.cells.reduce((sum, cell) => sum + cell.confidence, 0) / grid.cells.length,
      }));
      // A band that reads as no MRZ line was a false find: the first pass's reading of it stands.
      const lines = mrzLines.length > 0 ? [...page.filter((line) => !band.includes(line)), ...mrzLines] : page;
      return {
        lines: lines.map((line) => line.text),
        raw: {
          engine: `tesseract.js ${MODEL_VARIANT}`,
          lines: lines.map(({ text, confidence }) => ({ text, confidence: Math.round(confidence) })),
        },
      };
    },

    async close() {
      const running = worker;
      worker = undefined;
      if (running) await (await running).terminate();
    },
  };
}

/**
 * The image to read: as stored, or redrawn upright when a phone camera saved it sideways with an EXIF orientation.
 * tesseract.js applies only big-endian EXIF, and many Android phones write little-endian; read sideways, a passport's
 * lines are vertical text and its MRZ is lost.
 */
async function uprightJpegOrPng(bytes: Buffer): Promise<Buffer> {
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
  if ((header.orientation ?? 1) === 1) return bytes;
  const image = await loadImage(bytes).catch((error: Error) => {
    throw new PermanentAdapterError('UNSUPPORTED_IMAGE', `the image cannot be decoded: ${error.message}`);
  });
  const canvas = createCanvas(image.width, image.height); // @napi-rs/canvas applies the EXIF orientation
  canvas.getContext('2d').drawImage(image, 0, 0);
  return canvas.toBuffer('image/png');
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

function bandReadingOf(band: readonly ReadLine[]): RecognizeParameters {
  const left = Math.min(...band.map((line) => line.bbox.x0));
  const top = Math.min(...band.map((line) => line.bbox.y0));
  const right = Math.max(...band.map((line) => line.bbox.x1));
  const bottom = Math.max(...band.map((line) => line.bbox.y1));
  // MRZ glyphs have no descenders, so a line box is about one capital high; that much margin all round keeps the
  // band clear of the printed fields above it.
  const margin = Math.min(...band.map((line) => line.bbox.y1 - line.bbox.y0));
  return {
    rectangle: {
      left: Math.max(0, Math.round(left - margin)),
      top: Math.max(0, Math.round(top - margin)),
      width: Math.round(right - left + 2 * margin),
      height: Math.round(bottom - top + 2 * margin),
    },
    tessedit_pageseg_mode: Tesseract.PSM.SINGLE_BLOCK,
    tessedit_char_whitelist: MRZ_ALPHABET,
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
