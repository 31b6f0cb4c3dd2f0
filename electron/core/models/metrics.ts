/**
 * Accuracy measures, the same definitions as models/training/evaluate.py: mean IoU over classes 0..C from a
 * confusion matrix, and VOC-style AP@0.5 (all-point interpolation) where tiny or mostly hidden ground truth is
 * 'ignored' (matching it is no hit and no false positive; missing it is no miss).
 */
import { boxIoU, type Detection } from './decode';

export const EVAL_MIN_AREA = 100; // visible pixels
export const EVAL_MIN_VISIBLE = 0.25; // visible fraction

export class SegmentationIoU {
  readonly confusion: Float64Array;
  constructor(readonly numClasses: number) {
    this.confusion = new Float64Array((numClasses + 1) ** 2);
  }
  add(pred: Uint8Array, truth: Uint8Array): void {
    const n = this.numClasses + 1;
    for (let i = 0; i < truth.length; i++) this.confusion[truth[i]! * n + pred[i]!]! += 1;
  }
  /** Adds another measure's counts (the pixels it was given). */
  merge(other: SegmentationIoU): void {
    for (let i = 0; i < this.confusion.length; i++) this.confusion[i]! += other.confusion[i]!;
  }
  /** IoU per class id 0..C and their mean. */
  result(): { mIoU: number; perClass: number[] } {
    const n = this.numClasses + 1;
    const perClass = Array.from({ length: n }, (_, c) => {
      let row = 0;
      let col = 0;
      for (let j = 0; j < n; j++) {
        row += this.confusion[c * n + j]!;
        col += this.confusion[j * n + c]!;
      }
      const inter = this.confusion[c * n + c]!;
      return inter / Math.max(row + col - inter, 1);
    });
    return { mIoU: perClass.reduce((a, b) => a + b, 0) / n, perClass };
  }
}

export interface TruthBox {
  box: [number, number, number, number];
  classId: number;
  area: number;
  visibleFraction: number;
}

export class DetectionAP {
  private readonly records = new Map<number, { score: number; tp: boolean }[]>();
  private readonly positives = new Map<number, number>();
  constructor(readonly numClasses: number) {
    for (let c = 1; c <= numClasses; c++) {
      this.records.set(c, []);
      this.positives.set(c, 0);
    }
  }
  add(dets: Detection[], truth: TruthBox[]): void {
    for (let c = 1; c <= this.numClasses; c++) {
      const g = truth.filter((t) => t.classId === c);
      const ignored = g.map((t) => t.area < EVAL_MIN_AREA || t.visibleFraction < EVAL_MIN_VISIBLE);
      this.positives.set(c, this.positives.get(c)! + ignored.filter((x) => !x).length);
      const used = g.map(() => false);
      const rec = this.records.get(c)!;
      for (const d of dets.filter((x) => x.classId === c).sort((a, b) => b.score - a.score)) {
        let best = -1;
        let bestIoU = 0;
        g.forEach((t, i) => {
          const v = boxIoU(d.box, t.box);
          if (v > bestIoU) {
            bestIoU = v;
            best = i;
          }
        });
        if (best >= 0 && bestIoU >= 0.5) {
          if (ignored[best]) continue;
          if (!used[best]) {
            used[best] = true;
            rec.push({ score: d.score, tp: true });
            continue;
          }
        }
        rec.push({ score: d.score, tp: false });
      }
    }
  }
  /** AP per class (classes with ground truth only) and their mean. */
  result(): { mAP: number; perClass: Record<number, number> } {
    const perClass: Record<number, number> = {};
    for (const [c, recs] of this.records) {
      const pos = this.positives.get(c)!;
      if (pos === 0) continue;
      const sorted = [...recs].sort((a, b) => b.score - a.score);
      let tp = 0;
      let fp = 0;
      const recall: number[] = [];
      const precision: number[] = [];
      for (const r of sorted) {
        if (r.tp) tp++;
        else fp++;
        recall.push(tp / pos);
        precision.push(tp / (tp + fp));
      }
      const mrec = [0, ...recall, 1];
      const mpre = [0, ...precision, 0];
      for (let i = mpre.length - 2; i >= 0; i--) mpre[i] = Math.max(mpre[i]!, mpre[i + 1]!);
      let ap = 0;
      for (let i = 1; i < mrec.length; i++) if (mrec[i] !== mrec[i - 1]) ap += (mrec[i]! - mrec[i - 1]!) * mpre[i]!;
      perClass[c] = ap;
    }
    const values = Object.values(perClass);
    return { mAP: values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1), perClass };
  }
}
