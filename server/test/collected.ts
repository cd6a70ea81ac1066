/** A full collection from a test, for WeakRef checks of what a component still holds. */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A WeakRef's target is kept until the job that made or read it ends: collect in a later one. */
export const collected = async (): Promise<void> => {
  await new Promise((resolve) => setTimeout(resolve, 0));
  gc();
  await new Promise((resolve) => setTimeout(resolve, 0));
};
