/** Small real images for upload tests, drawn and encoded with @napi-rs/canvas. */
import { createCanvas } from '@napi-rs/canvas';

function drawn(width: number, height: number) {
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  context.fillStyle = '#d8c3a5';
  context.fillRect(0, 0, width, height);
  context.fillStyle = '#8e8d8a';
  context.fillRect(width / 4, height / 4, width / 2, height / 2);
  return canvas;
}

export function jpegImage(width = 64, height = 48): Buffer {
  return drawn(width, height).toBuffer('image/jpeg');
}

export function pngImage(width = 64, height = 48): Buffer {
  return drawn(width, height).toBuffer('image/png');
}
