import type { BranchStore } from './branch-store.js';

/** What the pull-request verification records for an image, and what promotion insists on. */
export interface VerificationRecord {
  digest: string;
  image: string;
  sha: string;
  environment: string;
  passed: boolean;
  summary: string;
  runUrl: string;
  verifiedAt: string;
}

const digestPattern = /^sha256:[0-9a-f]{64}$/;

function pathFor(digest: string): string {
  if (!digestPattern.test(digest)) throw new Error(`'${digest}' is not an image digest (sha256:<64 hex>)`);
  return `verifications/${digest.replace(':', '-')}.json`;
}

export async function recordVerification(store: BranchStore, record: VerificationRecord): Promise<void> {
  await store.update<VerificationRecord>(
    pathFor(record.digest),
    () => record,
    `scalegate: ${record.passed ? 'passed' : 'failed'} verification of ${record.digest.slice(0, 19)} (${record.environment})`,
  );
}

/**
 * Promotion is evidence-bound: it proceeds only when a verification of this exact digest passed. Returns the record,
 * or throws a message that says what is missing.
 */
export async function requirePassingVerification(
  store: BranchStore,
  digest: string,
): Promise<VerificationRecord> {
  const found = await store.read<VerificationRecord>(pathFor(digest));
  if (!found) {
    throw new Error(`refusing to promote ${digest}: no load verification was recorded for this digest`);
  }
  if (!found.value.passed) {
    throw new Error(
      `refusing to promote ${digest}: its verification in ${found.value.environment} failed (${found.value.summary}; ${found.value.runUrl})`,
    );
  }
  return found.value;
}
