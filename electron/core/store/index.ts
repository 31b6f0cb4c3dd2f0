/** The project store: one SQLite file per project. */
export { openProject, PROJECT_EXTENSION, APPLICATION_ID, type OpenProjectOptions } from './open';
export { ProjectStore } from './project-store';
export type { FrameStats } from './frame-stats';
export type { LockHolder } from './lock';
export * from './types';
export type { EditHistory, EditStep } from './journal';
export type { CarriedAnnotationInput } from './annotations';
