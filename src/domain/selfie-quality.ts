import type { SelfieQuality } from './outcomes.ts';

export interface SelfieQualityThresholds {
  minSharpness: number;
  minBrightness: number;
  maxBrightness: number;
}

/** The quality gate for a selfie: exactly one face, sharp enough, neither too dark nor washed out. */
export function selfieQuality(
  faces: { sharpness: number; brightness: number }[],
  thresholds: SelfieQualityThresholds,
): SelfieQuality {
  const [face, ...others] = faces;
  if (!face) return 'NO_FACE';
  if (others.length > 0) return 'MULTIPLE_FACES';
  const sharpEnough = face.sharpness >= thresholds.minSharpness;
  const litWell = face.brightness >= thresholds.minBrightness && face.brightness <= thresholds.maxBrightness;
  return sharpEnough && litWell ? 'OK' : 'POOR_QUALITY';
}
