/**
 * 2-D affine maps [a, b, c, d, e, f]: x' = a·x + b·y + e, y' = c·x + d·y + f.
 * Every transform in the world (camera, objects) is one, which is what makes the flow exact.
 */
export type Affine = readonly [number, number, number, number, number, number];

export function applyAffine(m: Affine, x: number, y: number): [number, number] {
  return [m[0] * x + m[1] * y + m[4], m[2] * x + m[3] * y + m[5]];
}

/** The map that applies `second` after `first`. */
export function composeAffine(second: Affine, first: Affine): Affine {
  const [a2, b2, c2, d2, e2, f2] = second;
  const [a1, b1, c1, d1, e1, f1] = first;
  return [
    a2 * a1 + b2 * c1,
    a2 * b1 + b2 * d1,
    c2 * a1 + d2 * c1,
    c2 * b1 + d2 * d1,
    a2 * e1 + b2 * f1 + e2,
    c2 * e1 + d2 * f1 + f2,
  ];
}

export function invertAffine(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * d - b * c;
  if (Math.abs(det) < 1e-12) throw new Error(`affine map is singular (det=${det})`);
  const ia = d / det;
  const ib = -b / det;
  const ic = -c / det;
  const id = a / det;
  return [ia, ib, ic, id, -(ia * e + ib * f), -(ic * e + id * f)];
}

/** Similarity: scale `s`, rotation `angle` (radians; clockwise on screen, since y points down), then translation. */
export function similarity(s: number, angle: number, tx: number, ty: number): Affine {
  const cos = s * Math.cos(angle);
  const sin = s * Math.sin(angle);
  return [cos, -sin, sin, cos, tx, ty];
}
