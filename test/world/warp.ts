/** Test helpers: backward warping along a flow field and comparing images on chosen pixels. */

/**
 * Samples RGB image `source` (w×h) at p + flow(p) for every pixel p, bilinearly. Returns the warped image and a
 * mask of the pixels whose sample fell inside the source (NaN flow: never) (and, with `sameId`, whose four bilinear neighbours all
 * carry the id `ids[p]` in `sourceIds`, i.e. the point is visible in both frames).
 */
export function warpByFlow(
  source: Uint8Array,
  flow: Float32Array,
  width: number,
  height: number,
  ids?: { ids: Uint16Array; sourceIds: Uint16Array },
): { image: Float32Array; valid: Uint8Array } {
  const image = new Float32Array(width * height * 3);
  const valid = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const sx = x + flow[p * 2]!;
      const sy = y + flow[p * 2 + 1]!;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (!(x0 >= 0 && y0 >= 0 && x0 + 1 < width && y0 + 1 < height)) continue; // also skips NaN (unknown) flow
      const corners = [y0 * width + x0, y0 * width + x0 + 1, (y0 + 1) * width + x0, (y0 + 1) * width + x0 + 1];
      if (ids && corners.some((q) => ids.sourceIds[q] !== ids.ids[p])) continue;
      const tx = sx - x0;
      const ty = sy - y0;
      const w = [(1 - tx) * (1 - ty), tx * (1 - ty), (1 - tx) * ty, tx * ty];
      for (let c = 0; c < 3; c++) {
        let v = 0;
        for (let j = 0; j < 4; j++) v += source[corners[j]! * 3 + c]! * w[j]!;
        image[p * 3 + c] = v;
      }
      valid[p] = 1;
    }
  }
  return { image, valid };
}

/** Mean absolute difference per channel over the pixels where `mask` is set (and `where(p)` holds). */
export function meanAbsDiff(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  mask: Uint8Array,
  where: (p: number) => boolean = () => true,
): { mean: number; count: number } {
  let sum = 0;
  let count = 0;
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p] || !where(p)) continue;
    for (let c = 0; c < 3; c++) sum += Math.abs(a[p * 3 + c]! - b[p * 3 + c]!);
    count++;
  }
  return { mean: count ? sum / (count * 3) : NaN, count };
}
