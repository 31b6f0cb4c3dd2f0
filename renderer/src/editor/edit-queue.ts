/**
 * Edits on their way to the core, sent one at a time in order. When the backend is gone (the connection
 * dropped, or the server came back without the project open) an edit stays at the head of the queue and is
 * retried, with the queue kept in localStorage so that even a reload loses nothing; an edit the core
 * refuses (bad input) is dropped and its error reported. A new annotation gets a negative temporary id
 * until the core names it; later edits of it are sent with the real id.
 */
import type { CallInput, CallName, CallOutput } from '../../../electron/common/api';
import type { ErrorInfo } from '../../../electron/common/errors';

export type EditCallName = 'annotation.create' | 'annotation.update' | 'annotation.delete' | 'annotation.carryForward' | 'frame.verify' | 'frame.acceptAll' | 'edit.undo' | 'edit.redo';

export interface QueuedEdit {
  seq: number;
  name: EditCallName;
  input: Record<string, unknown>;
  /** For 'annotation.create': the temporary id the renderer shows until the core names it. */
  tempId?: number;
  /** Which project the edit belongs to: after a reconnect the project is reopened before it is sent. */
  project: string;
}

export interface QueueStatus {
  /** Edits not yet confirmed by the core. */
  pending: number;
  /** True while the backend cannot be reached; the head edit is being retried. */
  offline: boolean;
  /** Why the last try failed, while offline. */
  reason: string | null;
}

export interface QueueTransport {
  call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>>;
}

const STORAGE_PREFIX = 'dff-pending-edits:';
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 4000;
const SLOW_MS = 1500;

/** A failure that means "the backend is not there", not "the edit is wrong". */
export function isConnectionError(e: ErrorInfo): boolean {
  return e.code === 'NO_PROJECT' || /lost the connection|not connected|Failed to fetch|WebSocket/i.test(e.message);
}

export class EditQueue {
  private queue: QueuedEdit[] = [];
  private seq = 1;
  private nextTemp = -1;
  private readonly realIds = new Map<number, number>();
  /** Projects whose edits are in storage now. */
  private stored = new Set<string>();
  private running = false;
  private retryMs = RETRY_MIN_MS;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private status: QueueStatus = { pending: 0, offline: false, reason: null };
  private readonly waiters = new Map<number, { resolve: (v: unknown) => void; reject: (e: ErrorInfo) => void }>();

  constructor(
    private readonly transport: QueueTransport,
    private readonly hooks: {
      onStatus: (s: QueueStatus) => void;
      /** An edit the core refused: dropped, the user is told. */
      onRefused: (e: ErrorInfo, edit: QueuedEdit) => void;
      /** An edit the core accepted, with its result. */
      onDone: (edit: QueuedEdit, result: unknown) => void;
    },
    private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null = typeof localStorage === 'undefined' ? null : localStorage,
  ) {}

  /** Picks up edits a previous page left unsent for this project. */
  restore(project: string): number {
    const text = this.storage?.getItem(STORAGE_PREFIX + project);
    if (!text) return 0;
    this.stored.add(project);
    try {
      const saved = JSON.parse(text) as QueuedEdit[];
      for (const e of saved) {
        if (this.queue.some((q) => q.project === e.project && q.seq === e.seq)) continue;
        this.queue.push({ ...e, seq: this.seq++ });
        if (e.tempId !== undefined) this.nextTemp = Math.min(this.nextTemp, e.tempId - 1);
      }
    } catch {
      return 0;
    }
    this.changed();
    void this.pump();
    return this.queue.length;
  }

  /** A temporary id for an annotation about to be created. */
  tempId(): number {
    return this.nextTemp--;
  }

  /** The core's id for a temporary one, once known. */
  resolveId(id: number): number {
    return id < 0 ? (this.realIds.get(id) ?? id) : id;
  }

  /** Queues an edit; resolves with the core's answer, rejects with the refusal (a lost connection only delays it). */
  push<N extends EditCallName>(project: string, name: N, input: CallInput<N>, tempId?: number): Promise<CallOutput<N>> {
    const edit: QueuedEdit = { seq: this.seq++, name, input: input as Record<string, unknown>, project, ...(tempId !== undefined ? { tempId } : {}) };
    this.queue.push(edit);
    const done = new Promise<CallOutput<N>>((resolve, reject) => this.waiters.set(edit.seq, { resolve: resolve as (v: unknown) => void, reject }));
    done.catch(() => {}); // a refusal also reaches onRefused; callers may ignore the promise
    this.changed();
    void this.pump();
    return done;
  }

  get current(): QueueStatus {
    return this.status;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const edit = this.queue[0]!;
        const input = this.withRealIds(edit.input);
        if (input === null) {
          // it edits an annotation whose creation the core refused: nothing to apply it to
          this.finish(edit, { code: 'NOT_FOUND', message: 'the annotation this edit applies to was never created' });
          continue;
        }
        // a call that hangs (the socket is down and the client holds it) counts as offline after a moment
        const slow = setTimeout(() => {
          this.status = { ...this.status, offline: true, reason: 'waiting for the backend to answer' };
          this.changed();
        }, SLOW_MS);
        try {
          await this.ensureProject(edit.project);
          const result = await this.transport.call(edit.name, input as never);
          clearTimeout(slow);
          if (edit.tempId !== undefined) this.realIds.set(edit.tempId, (result as { annotationId: number }).annotationId);
          this.queue.shift();
          this.retryMs = RETRY_MIN_MS;
          this.status = { ...this.status, offline: false, reason: null };
          this.changed();
          this.hooks.onDone(edit, result);
          this.waiters.get(edit.seq)?.resolve(result);
          this.waiters.delete(edit.seq);
        } catch (err) {
          clearTimeout(slow);
          const info = errorInfoOf(err);
          if (isConnectionError(info)) {
            this.status = { ...this.status, offline: true, reason: info.message };
            this.changed();
            this.timer = setTimeout(() => {
              this.timer = null;
              void this.pump();
            }, this.retryMs);
            this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
            return;
          }
          this.finish(edit, info);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private finish(edit: QueuedEdit, error: ErrorInfo): void {
    this.queue.shift();
    this.changed();
    this.hooks.onRefused(error, edit);
    this.waiters.get(edit.seq)?.reject(error);
    this.waiters.delete(edit.seq);
  }

  /** The edit's input with temporary ids replaced; null when one was never created. */
  private withRealIds(input: Record<string, unknown>): Record<string, unknown> | null {
    const id = input.annotationId;
    if (typeof id !== 'number' || id > 0) return input;
    const real = this.realIds.get(id);
    if (real !== undefined) return { ...input, annotationId: real };
    return this.queue.some((q) => q.tempId === id) ? input : null;
  }

  /** After the server came back without it, opens the edit's project again (the session is new). */
  private async ensureProject(project: string): Promise<void> {
    if (!this.status.offline) return;
    const current = await this.transport.call('project.current', {});
    if (current?.path !== project) await this.transport.call('project.open', { path: project });
  }

  private changed(): void {
    this.status = { ...this.status, pending: this.queue.length };
    const byProject = new Map<string, QueuedEdit[]>();
    for (const e of this.queue) byProject.set(e.project, [...(byProject.get(e.project) ?? []), e]);
    try {
      for (const project of this.stored) if (!byProject.has(project)) this.storage?.removeItem(STORAGE_PREFIX + project);
      for (const [project, edits] of byProject) this.storage?.setItem(STORAGE_PREFIX + project, JSON.stringify(edits));
      this.stored = new Set(byProject.keys());
    } catch {
      // storage full or denied: the queue still lives in memory
    }
    this.hooks.onStatus(this.status);
  }
}

/** Anything the transport threw as ErrorInfo (the client's CallError already is one). */
function errorInfoOf(err: unknown): ErrorInfo {
  const e = err as Partial<ErrorInfo> | null;
  if (e && typeof e.code === 'string' && typeof e.message === 'string') return { code: e.code, message: e.message } as ErrorInfo;
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}
