import { describe, expect, it } from 'vitest';
import { keySchedule, MAX_DEBT, MAX_SPARE, propagationRisk, resumeDecodeStart, type KeySchedule, type PropagationSignals } from '../../electron/core/dff/schedule';

/** Drives a schedule over frames [from, to) as the DFF loop does; `signals(i, key)` stands in for the networks. */
function keysOf(s: KeySchedule, from: number, to: number, signals: (i: number, key: number) => PropagationSignals): number[] {
  const keys: number[] = [];
  for (let i = from; i < to; i++) {
    if (keys.length === 0 || s.mustKey(i) || s.promote(i, signals(i, keys.at(-1)!))) {
      s.keyed(i);
      keys.push(i);
    }
  }
  return keys;
}

const calm: PropagationSignals = { flowMeanPx: 0.5, scaleDeviation: 0.01, confidenceDrop: 0 };
/** Motion that makes propagation unreliable quickly on frames 100–160, calm elsewhere. */
const bursty = (i: number, key: number): PropagationSignals =>
  i >= 100 && i < 160 ? { flowMeanPx: 4 * (i - key), scaleDeviation: 0.02, confidenceDrop: 0.01 * (i - key) } : calm;

describe('keySchedule', () => {
  it('fixed k: keys every k frames from the first frame of the range; resumes from the key at or before', () => {
    const s = keySchedule({ kind: 'fixed', k: 10 }, 5);
    expect([5, 6, 14, 15, 25].map((i) => s.mustKey(i))).toEqual([true, false, false, true, true]);
    expect([5, 9, 15, 24].map((c) => resumeDecodeStart({ kind: 'fixed', k: 10 }, 5, c))).toEqual([5, 5, 15, 15]);
    const b = keySchedule({ kind: 'baseline' }, 0);
    expect(b.mustKey(7) && resumeDecodeStart({ kind: 'baseline' }, 0, 7) === 7).toBe(true);
  });

  it('adaptive: keeps the mean key interval at k (N/k keys ± what the budget may save or owe), no interval over (1 + spare + debt)·k, more keys where motion is', () => {
    const k = 10;
    const keys = keysOf(keySchedule({ kind: 'adaptive', k }, 0), 0, 400, bursty);
    expect(Math.abs(keys.length - 400 / k)).toBeLessThanOrEqual(MAX_SPARE + MAX_DEBT);
    const gaps = keys.slice(1).map((x, j) => x - keys[j]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual((1 + MAX_SPARE + MAX_DEBT) * k);
    const inBurst = keys.filter((x) => x >= 100 && x < 160).length;
    expect(inBurst).toBeGreaterThan(60 / k); // denser than fixed k in the burst …
    const calmKeys = keys.filter((x) => x >= 160);
    expect(calmKeys.length).toBeLessThan(240 / k); // … paid for by sparser keys where nothing moves
    // calm everywhere: the budget forces keys exactly k apart, as fixed k
    const still = keysOf(keySchedule({ kind: 'adaptive', k }, 0), 0, 100, () => calm);
    expect(still).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
  });

  it('adaptive: a schedule rebuilt from (last key, keys before it) decides exactly as the uninterrupted one', () => {
    const k = 7;
    const whole = keysOf(keySchedule({ kind: 'adaptive', k }, 3), 3, 300, bursty);
    for (const cursor of [50, 120, 131, 299]) {
      const before = whole.filter((x) => x < cursor);
      const point = { keyIdx: before.at(-1)!, keysBefore: before.length - 1 };
      expect(resumeDecodeStart({ kind: 'adaptive', k }, 3, cursor, point)).toBe(point.keyIdx);
      const s = keySchedule({ kind: 'adaptive', k }, 3, point);
      const rest = keysOf(s, point.keyIdx, 300, bursty); // its first frame is the rebuilt key
      expect([...before.slice(0, -1), ...rest]).toEqual(whole);
    }
  });

  it('propagationRisk grows with the confidence drop and the flow', () => {
    expect(propagationRisk(calm)).toBeLessThan(0.3);
    expect(propagationRisk({ ...calm, flowMeanPx: 4 })).toBeGreaterThan(1);
    expect(propagationRisk({ ...calm, confidenceDrop: 0.03 })).toBeGreaterThan(1);
    expect(propagationRisk({ ...calm, confidenceDrop: null })).toBe(propagationRisk({ ...calm, confidenceDrop: 0 }));
  });
});
