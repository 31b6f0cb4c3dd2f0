import sharp from 'sharp';
import { AppError } from '../errors';
import { type Frame, toRgb } from './frame';

/** JPEG of a frame for the UI (quality 1–100, default 85). */
export async function encodeFrameJpeg(frame: Frame, quality = 85): Promise<Buffer> {
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new AppError('INVALID_INPUT', `JPEG quality must be an integer from 1 to 100, got ${quality}`);
  }
  return rawRgb(frame).jpeg({ quality }).toBuffer();
}

/** Lossless PNG of a frame. */
export async function encodeFramePng(frame: Frame): Promise<Buffer> {
  return rawRgb(frame).png({ compressionLevel: 3 }).toBuffer();
}

function rawRgb(frame: Frame) {
  const rgb = toRgb(frame);
  return sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } });
}
