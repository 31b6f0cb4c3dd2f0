/**
 * Writes a large JSON document piece by piece to a file stream, waiting for the stream to drain, so
 * memory stays bounded however many images and annotations the document holds.
 */
import fs from 'node:fs';
import { writeError } from './output-folder';

const CHUNK_CHARS = 256 * 1024;

export class JsonStreamWriter {
  private readonly stream: fs.WriteStream;
  private pending = '';
  private failure: Error | null = null;
  /** How many elements the array now open holds (for the commas). */
  private count = 0;

  constructor(readonly file: string) {
    this.stream = fs.createWriteStream(file, { flush: true });
    this.stream.on('error', (err) => {
      this.failure ??= writeError(err, file);
    });
  }

  /** Appends raw JSON text. */
  async raw(text: string): Promise<void> {
    this.pending += text;
    if (this.pending.length >= CHUNK_CHARS) await this.flush();
  }

  /** Opens `"key": [` (after `prefix`, e.g. '{' or ','). */
  async openArray(prefix: string, key: string): Promise<void> {
    this.count = 0;
    await this.raw(`${prefix}${JSON.stringify(key)}:[`);
  }

  /** One element of the open array. */
  async item(value: unknown): Promise<void> {
    await this.raw((this.count++ === 0 ? '\n' : ',\n') + JSON.stringify(value));
  }

  async closeArray(): Promise<void> {
    await this.raw(']');
  }

  /** Flushes, ends the stream and waits until the data is in the file (fsync'd before closing). */
  async close(): Promise<void> {
    await this.flush();
    if (!this.stream.closed) {
      const closed = eventOrError(this.stream, 'close');
      this.stream.end();
      await closed;
    }
    this.check();
  }

  /** Ends the stream without caring about its content (the file is about to be removed). */
  async destroy(): Promise<void> {
    if (this.stream.closed) return;
    const closed = eventOrError(this.stream, 'close');
    this.stream.destroy();
    await closed;
  }

  private async flush(): Promise<void> {
    this.check();
    if (!this.pending) return;
    const ok = this.stream.write(this.pending);
    this.pending = '';
    if (!ok) {
      await eventOrError(this.stream, 'drain');
      this.check();
    }
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }
}

/** Resolves on `event` or on an error (which the writer's own error listener records), leaving no listener behind. */
function eventOrError(stream: fs.WriteStream, event: 'drain' | 'close'): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off(event, done);
      stream.off('error', done);
      resolve();
    };
    stream.on(event, done);
    stream.on('error', done);
  });
}
