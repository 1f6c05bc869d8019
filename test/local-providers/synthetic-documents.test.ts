import { imageSize } from 'image-size';
import { describe, expect, it } from 'vitest';
import {
  randomPerson,
  renderPassport,
  renderSelfie,
  sampleFaces,
  seededRng,
} from '../../src/demo/synthetic-documents.ts';

const JPEG_MAGIC = [0xff, 0xd8, 0xff];

describe('synthetic documents', () => {
  it('makes the same people from the same seed, and plausible ones', () => {
    const today = new Date('2025-06-01T00:00:00Z');
    const first = Array.from({ length: 50 }, (_, index) => randomPerson(seededRng(index), { today }));
    const again = Array.from({ length: 50 }, (_, index) => randomPerson(seededRng(index), { today }));
    expect(again).toEqual(first);
    for (const person of first) {
      expect(person.passportNumber).toMatch(/^\d{9}$/);
      expect(person.birthDate >= '1959-06-01' && person.birthDate <= '2004-06-01').toBe(true);
      expect(Number(person.expiryDate.slice(0, 4)) - Number(person.issueDate.slice(0, 4))).toBe(10);
    }
    expect(randomPerson(seededRng(1), { sex: 'F', today }).sex).toBe('F');
  });

  it('takes at least four different people from the photos shipped in npm', async () => {
    const faces = await sampleFaces();
    expect(new Set(faces.map((face) => face.id)).size).toBe(faces.length);
    expect(faces.length).toBeGreaterThanOrEqual(4);
    for (const face of faces) expect([...face.image.subarray(0, 3)]).toEqual(JPEG_MAGIC);
  });

  it('renders a passport data page and selfies as JPEG', async () => {
    const [face] = await sampleFaces();
    if (!face) throw new Error('no sample face');
    const passport = await renderPassport(randomPerson(seededRng(5)), face.image);
    expect(imageSize(passport)).toMatchObject({ type: 'jpg', width: 1250, height: 880 });
    const selfie = await renderSelfie(face.image, { mirror: true, brightness: 0.7, crop: { zoom: 1.3 } });
    expect(imageSize(selfie)).toMatchObject({ type: 'jpg', width: 720, height: 960 });
  });
});
