/** Opens the --project file for a command and closes it afterwards. */
import { openProject, type ProjectStore } from '../../store';
import type { Args } from '../args';

export async function withProject<T>(args: Args, fn: (store: ProjectStore) => Promise<T>): Promise<T> {
  const store = openProject(args.required('project'));
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}
