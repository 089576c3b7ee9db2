/**
 * Step 7 of the flow: write a plan without losing anyone's update. IAM has no conditional write, so
 * each document is re-read right before it is written and the write happens only if it is still the
 * document the plan was built on (else the caller re-plans); after writing, every document is read
 * back until our statement shows, and every statement of that last read must still be there.
 */
import {
  asList,
  canonicalJson,
  sameDocument,
  statementsOfDocument,
  type Change,
  type PolicyDocument,
  type PolicyStatement,
} from './core';
import { describeError } from './aws/errors';
import type { Logger } from './logger';

/** Reads and writes one account's IAM documents (the live flow's IAM writer). */
export interface IamDocuments {
  read(change: Change): Promise<PolicyDocument | undefined>;
  write(change: Change): Promise<void>;
}

/** What applying came to. */
export type ApplyResult =
  | { kind: 'applied'; written: Change[] }
  /** A document changed since the plan was made: nothing more was written; plan again. */
  | { kind: 'stale'; written: Change[]; change: Change }
  /** A write failed or a read-back found something lost: the outcome is `error`. */
  | { kind: 'failed'; written: Change[]; problem: string };

/** Timing of the read-back (IAM is eventually consistent). */
export interface ReadBackTiming {
  timeoutMs: number;
  sleep: (ms: number) => Promise<void>;
}

/** Writes the changes in order, each only if its document is still the plan's base; then reads back. */
export async function applyPlan(
  changes: readonly Change[],
  iam: IamDocuments,
  logger: Logger,
  timing: ReadBackTiming,
): Promise<ApplyResult> {
  const written: Change[] = [];
  const lastRead = new Map<Change, PolicyDocument | undefined>();
  for (const change of changes) {
    let current: PolicyDocument | undefined;
    try {
      current = await iam.read(change);
    } catch (error) {
      return {
        kind: 'failed',
        written,
        problem: `re-reading ${label(change)} failed (${describeError(error)})`,
      };
    }
    if (!sameDocument(current, change.base)) return { kind: 'stale', written, change };
    lastRead.set(change, current);
    try {
      await iam.write(change);
    } catch (error) {
      const done =
        written.length > 0 ? `; already applied: ${written.map(label).join(', ')}` : '; nothing was written';
      return { kind: 'failed', written, problem: `${label(change)} failed (${describeError(error)})${done}` };
    }
    written.push(change);
    logger.info({ action: change.action, roleName: change.roleName }, 'change applied');
  }
  for (const change of written) {
    const problem = await readBack(change, lastRead.get(change), iam, timing);
    if (problem) return { kind: 'failed', written, problem };
  }
  return { kind: 'applied', written };
}

/** Waits until our statement shows in IAM, then checks that nothing of the last read was lost. */
async function readBack(
  change: Change,
  before: PolicyDocument | undefined,
  iam: IamDocuments,
  timing: ReadBackTiming,
): Promise<string | undefined> {
  const ours = statementsOfDocument(change.document).find((s) => s.Sid === change.ownSid);
  const deadline = Date.now() + timing.timeoutMs;
  for (let delay = 250; ; delay = Math.min(delay * 2, 4_000)) {
    let now: PolicyDocument | undefined;
    try {
      now = await iam.read(change);
    } catch (error) {
      return `reading back ${label(change)} failed (${describeError(error)})`;
    }
    const statements = now ? statementsOfDocument(now) : [];
    const text = new Set(statements.map(canonicalStatement));
    const read = statements.find((s) => s.Sid === change.ownSid);
    // A removal holds once no removed ARN shows any more (and what we kept is still there).
    const holds = change.removed
      ? !grantedValues(read).some((v) => change.removed?.includes(v)) && (!ours || covers(read, ours))
      : ours !== undefined && covers(read, ours);
    if (holds) {
      const lost = (before ? statementsOfDocument(before) : []).filter(
        (s) => s.Sid !== change.ownSid && !text.has(canonicalStatement(s)),
      );
      return lost.length > 0
        ? `after writing ${label(change)}, ${lost.length} statement(s) of the document are gone (${lost
            .map((s) => s.Sid ?? 'without Sid')
            .join(', ')}): another writer changed it at the same time; check the role`
        : undefined;
    }
    if (Date.now() + delay > deadline) {
      return `read-back of ${label(change)} does not show our statement ${change.ownSid}: another writer may have replaced it`;
    }
    await timing.sleep(delay);
  }
}

/** Our statement as read back holds at least every ARN we wrote (another writer may have added more). */
function covers(read: PolicyStatement | undefined, ours: PolicyStatement): boolean {
  if (!read) return false;
  const have = new Set(grantedValues(read));
  return grantedValues(ours).every((v) => have.has(v));
}

/** The ARNs a statement of ours lists: its resources, or its trusted AWS principals. */
function grantedValues(s: PolicyStatement | undefined): string[] {
  return s ? [...asList(s.Resource), ...asList((s.Principal as { AWS?: unknown } | undefined)?.AWS)] : [];
}

function canonicalStatement(s: PolicyStatement): string {
  return canonicalJson(s);
}

/** "PutRolePolicy Role/Policy" or "UpdateAssumeRolePolicy Role". */
export function label(change: Change): string {
  return `${change.action} ${change.roleName}${change.action !== 'UpdateAssumeRolePolicy' ? `/${change.policyName}` : ''}`;
}
