/**
 * Attack (issue 20, "writes to admin roles"), the core's half, against moto with the dry-run parameter
 * `false`: a real job whose execution role is an administrative or bootstrap role that trusts
 * SageMaker. The remediator refuses it as ROLE_OUT_OF_SCOPE (`protected-role`) before IAM's own Deny
 * would (test/deployed/protected-roles.test.ts proves that Deny), and no role changes.
 */
import {
  createRole,
  GROUND_TRUTH_POLICY_ARN,
  policy,
  serviceTrustStatement,
  snapshotRole,
} from '../support/aws-world';
import { labelingJobEvent, type JobWorld } from '../support/labeling-job-world';
import { reportOf } from './handler-deps';
import { useHandlerWorld } from './handler-world';

const { prefix, seed, sinks, newWorld, handlerWith } = useHandlerWorld('pr', { dryRun: 'false' });

/** A role that trusts SageMaker and may do what a labeling job needs: an ordinary execution role but for its name. */
async function executionRoleNamed(name: string, path = '/'): Promise<JobWorld['executionRole']> {
  const trust = policy(serviceTrustStatement('sagemaker.amazonaws.com'));
  // Reads and writes the job's data, as a real execution role does (the worlds' buckets: <prefix>-<n>-labeling-data)
  const data = policy({
    Effect: 'Allow',
    Action: ['s3:GetObject', 's3:PutObject'],
    Resource: `arn:aws:s3:::${prefix.toLowerCase()}-*-labeling-data/*`,
  });
  const arn = await createRole(seed.iam, {
    name,
    path,
    trust,
    managed: [GROUND_TRUTH_POLICY_ARN],
    inline: { ReadWriteLabelingData: data },
  });
  return { name, arn, trust };
}

describe('a job whose execution role is a protected role', () => {
  it.each([
    [
      'OrganizationAccountAccessRole',
      '/',
      'OrganizationAccountAccessRole (AWS Organizations administrator role)',
    ],
    [`cdk-hnb659fds-cfn-exec-role-${prefix}`, '/', 'cdk-* (CDK bootstrap role)'],
    [`stacksets-exec-${prefix}`, '/ops/', 'stacksets-exec-* (service-managed StackSet execution role)'],
  ])('%s (path %s) is reported protected-role and left as it was', async (name, path, detail) => {
    // Given a real job naming the role, and the attacker's own function roles
    const world = await newWorld({ executionRole: await executionRoleNamed(name, path) });
    const before = await Promise.all(
      [world.executionRole.name, world.postRole.name].map((n) => snapshotRole(seed.iam, n)),
    );

    // When the remediator handles its CreateLabelingJob event, with the dry-run parameter false
    const report = reportOf(await handlerWith()(labelingJobEvent(world)));

    // Then the role is out of scope because it is protected, and nothing was written or proposed as applied
    expect(report.outcome).toBe('blocked');
    expect(report.changes).toEqual([]);
    expect(report.findings.filter((f) => f.code === 'ROLE_OUT_OF_SCOPE')).toEqual([
      expect.objectContaining({
        principal: world.executionRole.arn,
        reason: 'protected-role',
        detail,
        fixable: false,
      }),
    ]);
    expect(report.findings.every((f) => !f.fixable)).toBe(true);
    // And IAM, read back from moto, holds exactly what it held before
    expect(
      await Promise.all(
        [world.executionRole.name, world.postRole.name].map((n) => snapshotRole(seed.iam, n)),
      ),
    ).toEqual(before);
    expect((await sinks.readNotifications()).map((n) => n.attributes.outcome)).toEqual(['blocked']);
  });

  it('an operator-added protected role (PROTECTED_ROLES) is refused the same way; without it the job is fixed', async () => {
    // Given an ordinary execution role the operator protects by name
    const name = `${prefix}-BreakGlass`;
    const world = await newWorld({ executionRole: await executionRoleNamed(name, '/team/') });
    const before = await snapshotRole(seed.iam, name);

    // When the remediator runs with the addition
    const report = reportOf(
      await handlerWith({ core: { protectedRoles: [`${prefix}-Break*`] } })(labelingJobEvent(world)),
    );

    // Then it is protected, and unchanged
    expect(report.findings.find((f) => f.code === 'ROLE_OUT_OF_SCOPE')).toMatchObject({
      reason: 'protected-role',
      detail: `${prefix}-Break* (added by the operator)`,
    });
    expect(report.changes).toEqual([]);
    expect(await snapshotRole(seed.iam, name)).toEqual(before);

    // And the same job without the addition is remediated (the addition was what stopped it)
    const fixed = reportOf(await handlerWith()(labelingJobEvent(world)));
    expect(fixed.outcome).toBe('remediated');
    expect(Object.keys((await snapshotRole(seed.iam, name)).inline)).toContain(
      'GroundTruthLabelingLambdaInvoke',
    );
  });
});
