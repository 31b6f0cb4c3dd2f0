/**
 * One expensive resource kept open between interactive calls (a loaded model pack, an opened video), so that
 * stepping through frames does not pay for opening it each time. Asking for another key replaces it; it is
 * closed when unused for `idleMs`, or once its last user is done after being replaced. An open that fails is
 * not kept.
 */
interface Entry<T> {
  key: string;
  value: Promise<T>;
  users: number;
  timer: NodeJS.Timeout | null;
}

export class Held<T> {
  private current: Entry<T> | null = null;

  constructor(
    private readonly open: (key: string) => Promise<T>,
    private readonly close: (value: T) => Promise<void>,
    private readonly idleMs = 60_000,
  ) {}

  async use<R>(key: string, fn: (value: T) => Promise<R>): Promise<R> {
    if (this.current?.key !== key) {
      const old = this.current;
      this.current = { key, value: this.open(key), users: 0, timer: null };
      if (old && old.users === 0) this.release(old);
    }
    const entry = this.current;
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    entry.users++;
    try {
      const value = await entry.value.catch((err: unknown) => {
        if (this.current === entry) this.current = null;
        throw err;
      });
      return await fn(value);
    } finally {
      entry.users--;
      if (entry.users === 0) {
        if (this.current !== entry) this.release(entry);
        else {
          entry.timer = setTimeout(() => this.release(entry), this.idleMs);
          entry.timer.unref();
        }
      }
    }
  }

  private release(entry: Entry<T>): void {
    if (this.current === entry) this.current = null;
    void entry.value.then((v) => this.close(v)).catch(() => undefined);
  }
}
