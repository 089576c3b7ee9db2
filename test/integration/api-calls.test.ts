/**
 * AWS API calls per event for a typical job (two functions; every role with two managed and one
 * inline policy), counted with the CallCounter of shared/aws/clients.ts. Cold is the first invocation
 * of this module (a fresh Lambda container); warm is the next one, which reuses the AWS-managed and
 * customer-managed policy versions cached by ARN + version.
 */
import type { CallCounter } from '../../shared/aws/clients';
import { setParameter } from '../support/aws-world';
import { reportOf } from './handler-deps';
import { useHandlerWorld } from './handler-world';
import { labelingJobEvent, seedJobWorld } from '../support/labeling-job-world';

const measured: string[] = [];
// The numbers are the point of this file: print them for the CI log (before the world's afterAll closes the sinks).
afterAll(() => {
  console.info(`AWS API calls per event, typical job:\n${measured.join('\n')}`);
});
const { prefix, parameter, seed, handlerWith } = useHandlerWorld('ac', { drainSinks: false });

/** Total calls and the per-command breakdown, sorted by command. */
function summary(counter: CallCounter): { total: number; byCommand: Record<string, number> } {
  const byCommand = Object.fromEntries([...counter.entries()].sort(([a], [b]) => a.localeCompare(b)));
  return { total: [...counter.values()].reduce((n, c) => n + c, 0), byCommand };
}

function record(label: string, counter: CallCounter): { total: number; byCommand: Record<string, number> } {
  const s = summary(counter);
  measured.push(`  ${label}: ${s.total} ${JSON.stringify(s.byCommand)}`);
  return s;
}

describe('AWS API calls per event', () => {
  it('warm invocations skip GetPolicyVersion: policy versions are cached by ARN + version across invocations', async () => {
    // Given a typical job, dry-run (both invocations do the same work), and one handler (one container)
    await setParameter(seed.ssm, parameter, 'true');
    const world = await seedJobWorld(seed, { id: `${prefix}-1` });
    const counter: CallCounter = new Map();
    const handler = handlerWith({ counter });

    // When the same event is handled twice
    expect(reportOf(await handler(labelingJobEvent(world))).outcome).toBe('proposed');
    const cold = record('cold (first invocation, dry-run)', counter);
    counter.clear();
    expect(reportOf(await handler(labelingJobEvent(world))).outcome).toBe('proposed');
    const warm = record('warm (second invocation, dry-run)', counter);

    // Then the warm invocation makes fewer calls
    expect(warm.total).toBeLessThan(cold.total);
    // And the difference is exactly the four policy versions (two managed policies on each of the two roles read)
    expect(cold.byCommand['IAM.GetPolicyVersion']).toBe(4);
    expect(warm.byCommand['IAM.GetPolicyVersion']).toBeUndefined();
    expect(cold.total - warm.total).toBe(4);
    // And each role and function is read once per event, whatever the cache holds
    for (const s of [cold, warm]) {
      expect(s.byCommand).toMatchObject({
        'IAM.GetRole': 2,
        'IAM.ListRolePolicies': 2,
        'IAM.GetRolePolicy': 2,
        'IAM.ListAttachedRolePolicies': 2,
        'IAM.GetPolicy': 4,
        'Lambda.GetFunctionConfiguration': 2,
        'SSM.GetParameter': 1,
        'SNS.Publish': 1,
        'EventBridge.PutEvents': 1,
      });
    }
  });

  it('a remediating event re-reads before it writes and reads back after; the next event for the job reads once', async () => {
    // Given a warm container, dry-run off, and a new typical job
    await setParameter(seed.ssm, parameter, 'false');
    const world = await seedJobWorld(seed, { id: `${prefix}-2` });
    const counter: CallCounter = new Map();
    const handler = handlerWith({ counter });
    await handler(labelingJobEvent(world));
    const applying = record('warm, remediating (dry-run off)', counter);
    counter.clear();
    await handler(labelingJobEvent(world));
    const settled = record('warm, already compliant', counter);

    // Then the remediating event inspected once, re-read each document right before writing it and
    // once after (trust: GetRole, invoke policy: GetRolePolicy), and wrote the two changes of the minimal plan
    expect(applying.byCommand).toMatchObject({
      'IAM.GetRole': 4,
      'IAM.PutRolePolicy': 1,
      'IAM.UpdateAssumeRolePolicy': 1,
      // while each function's role was looked up once for the whole event
      'Lambda.GetFunctionConfiguration': 2,
    });
    // And only this job's two customer managed policies (new ARNs) had their versions fetched, once each
    expect(applying.byCommand['IAM.GetPolicyVersion']).toBe(2);
    // And the compliant one inspected once, wrote nothing, published only the result event
    expect(settled.byCommand['IAM.GetRole']).toBe(2);
    expect(Object.keys(settled.byCommand).filter((k) => /Put(Role)|Update|SNS/.test(k))).toEqual([]);
    expect(settled.total).toBeLessThan(applying.total);
  });
});
