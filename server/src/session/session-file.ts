import { verifySessionFile, type Scenario, type VerifiedSession } from '@rubicon/shared';
import { ServiceError } from './service-error.ts';

/**
 * The server's side of session files: the format and its checks are
 * shared/src/replay (the browser and the CLI use the same ones); here a
 * refusal becomes a ServiceError that names the check and the place.
 */
export function verifyUpload(input: string | unknown, scenarios: (id: string) => Scenario | undefined): VerifiedSession {
  const r = verifySessionFile(input, scenarios);
  if (!r.ok) throw new ServiceError(r.problem.code, r.problem.message, { where: r.problem.where, seq: r.problem.seq });
  return r.session;
}
