/** Inference runs: which model pack ran, with what, how far it got and how long it took. */
import type Database from 'better-sqlite3';
import { AppError } from '../errors';
import { stmt } from './statements';
import { RUN_STATUSES, type InferenceRun, type InferenceRunPatch, type NewInferenceRun, type RunStatus } from './types';
import { requireId, requireIndex, requireJson, requireOneOf, requireText } from './validate';

const RUN_COLUMNS =
  'id, pack_name, pack_path, pack_hash, params, execution_provider, status, error, frames_done, started_at, finished_at, timings';
const FINISHED: readonly RunStatus[] = ['cancelled', 'failed', 'done'];

interface RunRow {
  id: number;
  pack_name: string;
  pack_path: string;
  pack_hash: string;
  params: string;
  execution_provider: string;
  status: RunStatus;
  error: string | null;
  frames_done: number;
  started_at: number;
  finished_at: number | null;
  timings: string | null;
}

function toRun(r: RunRow): InferenceRun {
  return {
    id: r.id,
    packName: r.pack_name,
    packPath: r.pack_path,
    packHash: r.pack_hash,
    params: JSON.parse(r.params),
    executionProvider: r.execution_provider,
    status: r.status,
    error: r.error,
    framesDone: r.frames_done,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    timings: r.timings === null ? null : JSON.parse(r.timings),
  };
}

/** Starts a run in status 'running'. */
export function createRun(db: Database.Database, input: NewInferenceRun): InferenceRun {
  const info = stmt(
    db,
    `INSERT INTO inference_runs (pack_name, pack_path, pack_hash, params, execution_provider, status, started_at)
     VALUES (?, ?, ?, ?, ?, 'running', ?)`,
  ).run(
    requireText(input?.packName, 'model pack name'),
    requireText(input.packPath, 'model pack path'),
    requireText(input.packHash, 'model pack hash'),
    requireJson(input.params ?? {}, 'run parameters'),
    requireText(input.executionProvider, 'execution provider'),
    Date.now(),
  );
  return getRun(db, Number(info.lastInsertRowid));
}

export function updateRun(db: Database.Database, id: number, patch: InferenceRunPatch): InferenceRun {
  const current = getRun(db, id);
  const status = patch.status === undefined ? current.status : requireOneOf(patch.status, RUN_STATUSES, 'run status');
  const error = patch.error === undefined ? current.error : patch.error === null ? null : String(patch.error);
  const framesDone = patch.framesDone === undefined ? current.framesDone : requireIndex(patch.framesDone, 'frames done');
  const timings =
    patch.timings === undefined ? (current.timings === null ? null : JSON.stringify(current.timings)) : requireJson(patch.timings, 'run timings');
  const params = patch.params === undefined ? JSON.stringify(current.params) : requireJson(patch.params, 'run parameters');
  const finishedAt = FINISHED.includes(status) ? (current.finishedAt ?? Date.now()) : null;
  stmt(db, 'UPDATE inference_runs SET status = ?, error = ?, frames_done = ?, timings = ?, params = ?, finished_at = ? WHERE id = ?').run(
    status,
    error,
    framesDone,
    timings,
    params,
    finishedAt,
    id,
  );
  return getRun(db, id);
}

export function getRun(db: Database.Database, id: number): InferenceRun {
  const row = stmt(db, `SELECT ${RUN_COLUMNS} FROM inference_runs WHERE id = ?`).get(requireId(id, 'run id')) as RunRow | undefined;
  if (!row) throw new AppError('NOT_FOUND', `Inference run ${id} does not exist in this project`, { runId: id });
  return toRun(row);
}

/** Newest first. */
export function listRuns(db: Database.Database): InferenceRun[] {
  return (stmt(db, `SELECT ${RUN_COLUMNS} FROM inference_runs ORDER BY id DESC`).all() as RunRow[]).map(toRun);
}
