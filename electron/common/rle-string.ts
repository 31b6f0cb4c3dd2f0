/**
 * pycocotools' rleFrString, strict, shared by the core (mask store, import) and the renderer (mask overlays):
 * the run lengths of a COCO compressed RLE counts string. Returns an error message instead of throwing so that
 * each side reports it its own way.
 */
export function parseCountsString(s: string): number[] | { error: string } {
  const counts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let scale = 1;
    let more = true;
    while (more) {
      if (p >= s.length) return { error: `mask RLE string ends in the middle of a run: "${clip(s)}"` };
      const c = s.charCodeAt(p) - 48;
      if (c < 0 || c > 63) return { error: `mask RLE string has "${s[p]}" at ${p}, outside '0'..'o': "${clip(s)}"` };
      x += (c & 0x1f) * scale;
      scale *= 32;
      more = (c & 0x20) !== 0;
      p++;
      if (!more && c & 0x10) x -= scale; // sign-extend
    }
    if (counts.length > 2) x += counts[counts.length - 2]!;
    if (x < 0) return { error: `mask RLE string decodes to a negative run (${x}): "${clip(s)}"` };
    counts.push(x);
  }
  return counts;
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
