/** The project store: one SQLite file per project. */
export { openProject, PROJECT_EXTENSION, APPLICATION_ID, type OpenProjectOptions } from './open';
export { ProjectStore } from './project-store';
export type { LockHolder } from './lock';
export * from './types';
