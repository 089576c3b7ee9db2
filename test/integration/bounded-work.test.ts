/**
 * The stalled writer (security issue, item 4): one policy with twelve `*` kept the only writer busy
 * past its timeout. Now the handler delivers a blocked report with POLICY_TOO_COMPLEX within its
 * budget, writes nothing and does not throw (no retry, no head-of-line stall).
 */
import { PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { policy, setParameter, snapshotRole } from '../support/aws-world';
import { reportOf } from './handler-deps';
import { useHandlerWorld } from './handler-world';
import { labelingJobEvent } from '../support/labeling-job-world';

const { parameter, seed, sinks, newWorld, handlerWith } = useHandlerWorld('bw');

describe('bounded work per event', () => {
  beforeAll(() => setParameter(seed.ssm, parameter, 'false'));

  it('delivers a blocked POLICY_TOO_COMPLEX report for a policy with twelve wildcards, quickly, writing nothing', async () => {
    // Given a job whose execution role holds the attack's policy
    const world = await newWorld();
    await seed.iam.send(
      new PutRolePolicyCommand({
        RoleName: world.executionRole.name,
        PolicyName: 'Wild',
        PolicyDocument: JSON.stringify(
          policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'*a'.repeat(11)}*b` }),
        ),
      }),
    );
    const before = await Promise.all([
      snapshotRole(seed.iam, world.executionRole.name),
      snapshotRole(seed.iam, world.postRole.name),
    ]);

    // When the handler receives the event (live, not dry-run)
    const started = Date.now();
    const report = reportOf(await handlerWith()(labelingJobEvent(world)));

    // Then the report is blocked, names the policy, is delivered once, and IAM is untouched
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(report.outcome).toBe('blocked');
    expect(report.findings.map((f) => [f.code, f.reason, f.resource])).toEqual([
      ['POLICY_TOO_COMPLEX', 'too-complex', 'inline:Wild'],
    ]);
    expect(report.changes).toEqual([]);
    expect((await sinks.readNotifications()).map((n) => n.attributes.outcome)).toEqual(['blocked']);
    expect((await sinks.readResultEvents()).map((e) => e.detail.outcome)).toEqual(['blocked']);
    expect(
      await Promise.all([
        snapshotRole(seed.iam, world.executionRole.name),
        snapshotRole(seed.iam, world.postRole.name),
      ]),
    ).toEqual(before);
  });
});
