/**
 * The mask under the brush, on a canvas at video size. One ImageData serves the whole stroke: a stroke's
 * start writes it all, each segment after that only the rectangle it touched.
 */
import { packedColour, pixelCanvas } from '../dff/mask-image';
import { writeRgba, type MaskBitmap } from './mask-bitmap';

const DRAFT_ALPHA = 150;

export class DraftCanvas {
  readonly canvas: HTMLCanvasElement;
  private readonly image: ImageData;
  private readonly pixels: Uint32Array;
  private colour = 0;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    ({ canvas: this.canvas, image: this.image, pixels: this.pixels } = pixelCanvas(width, height));
  }

  /** Shows the whole bitmap in this colour. */
  show(b: MaskBitmap, hex: string): void {
    this.colour = packedColour(hex, DRAFT_ALPHA);
    writeRgba(b, this.pixels, this.colour);
    this.canvas.getContext('2d')!.putImageData(this.image, 0, 0);
  }

  /** Shows the bitmap again where it changed: inside [x0, x1] × [y0, y1]. */
  update(b: MaskBitmap, x0: number, y0: number, x1: number, y1: number): void {
    const xa = Math.max(0, Math.floor(x0));
    const ya = Math.max(0, Math.floor(y0));
    const xb = Math.min(this.width - 1, Math.ceil(x1));
    const yb = Math.min(this.height - 1, Math.ceil(y1));
    if (xb < xa || yb < ya) return;
    writeRgba(b, this.pixels, this.colour, xa, ya, xb, yb);
    this.canvas.getContext('2d')!.putImageData(this.image, 0, 0, xa, ya, xb - xa + 1, yb - ya + 1);
  }
}
