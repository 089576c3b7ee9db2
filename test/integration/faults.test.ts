/**
 * What moto cannot produce, with aws-sdk-client-mock on the IAM client while the other clients stay
 * on moto: throttling, and AccessDenied on a write. The IAM mock forwards reads (and the writes it
 * lets through) to moto, so the state read back afterwards is real.
 */
import { GetRoleCommand, PutRolePolicyCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { statementsOf } from '../../shared/core/policy-document';
import { policy, snapshotRole } from '../support/aws-world';
import { reportOf, thrownBy } from './handler-deps';
import { useHandlerWorld } from './handler-world';
import { iamError, iamForwardingToMoto, writesSent } from './iam-forwarding-mock';
import {
  expectedInvokePolicy,
  expectedTrustStatement,
  labelingJobEvent,
} from '../support/labeling-job-world';

const { seed, sinks, newWorld, setup } = useHandlerWorld('ft', { dryRun: 'false' });

describe('IAM throttling', () => {
  it('notifies outcome error, writes nothing and throws; the retry then remediates', async () => {
    // Given IAM throttles every read of the execution role
    const world = await newWorld();
    const before = await Promise.all([
      snapshotRole(seed.iam, world.executionRole.name),
      snapshotRole(seed.iam, world.postRole.name),
    ]);
    const { clients, handler } = setup();
    const iam = mockClient(clients.iam);
    iam.on(GetRoleCommand).rejects(iamError('Throttling', 'Rate exceeded'));
    const event = labelingJobEvent(world);

    // When the event is handled
    const error = await thrownBy(handler(event));

    // Then the outcome is error, the notification names the throttling, and nothing was written
    expect(error.report).toMatchObject({ outcome: 'error', changes: [] });
    const notifications = await sinks.readNotifications();
    expect(notifications.map((n) => n.attributes)).toEqual([
      { outcome: 'error', dryRun: 'false', severity: 'high' },
    ]);
    expect(notifications[0]?.message).toContain('Note: Throttling: Rate exceeded');
    expect(iam).not.toHaveReceivedCommand(PutRolePolicyCommand);
    expect(iam).not.toHaveReceivedCommand(UpdateAssumeRolePolicyCommand);
    expect(
      await Promise.all([
        snapshotRole(seed.iam, world.executionRole.name),
        snapshotRole(seed.iam, world.postRole.name),
      ]),
    ).toEqual(before);

    // When Lambda retries the event after the throttling has passed (same warm container)
    iam.restore();
    const retried = reportOf(await handler(event));

    // Then the job is remediated
    expect(retried.outcome).toBe('remediated');
  });
});

describe('AccessDenied on a write', () => {
  it('on the first write: outcome error, nothing written anywhere, the notification says so, the handler throws', async () => {
    // Given the remediator may read IAM but not call PutRolePolicy
    const world = await newWorld();
    const roles = [world.executionRole.name, world.preRole.name, world.postRole.name];
    const before = await Promise.all(roles.map((r) => snapshotRole(seed.iam, r)));
    const { clients, handler } = setup();
    const iam = iamForwardingToMoto(clients.iam, seed.iam, () => false);

    // When the handler runs
    const error = await thrownBy(handler(labelingJobEvent(world)));

    // Then it stopped at the first write
    expect(writesSent(iam)).toEqual([
      `PutRolePolicy ${world.executionRole.name}/GroundTruthLabelingLambdaInvoke`,
    ]);
    const why = `PutRolePolicy ${world.executionRole.name}/GroundTruthLabelingLambdaInvoke failed (AccessDenied: User is not authorized to perform: iam:PutRolePolicy); nothing was written`;
    expect(error.report).toMatchObject({ outcome: 'error', dryRun: false });
    expect(error.report.notes).toHaveLength(1);
    expect(error.report.notes?.[0]).toContain(why);
    // And every role reads back from moto exactly as before
    expect(await Promise.all(roles.map((r) => snapshotRole(seed.iam, r)))).toEqual(before);
    // And the notification (outcome error) carries the reason
    const notifications = await sinks.readNotifications();
    expect(notifications.map((n) => n.attributes)).toEqual([
      { outcome: 'error', dryRun: 'false', severity: 'high' },
    ]);
    expect(notifications[0]?.message).toContain(why);
    expect((await sinks.readResultEvents()).map((e) => e.detail.outcome)).toEqual(['error']);
  });

  it('on a later write: earlier documents are complete, nothing after the failure is sent, and the retry finishes', async () => {
    // Given the remediator may write inline policies but not trust policies
    const world = await newWorld();
    const postBefore = await snapshotRole(seed.iam, world.postRole.name);
    const { clients, handler } = setup();
    const iam = iamForwardingToMoto(clients.iam, seed.iam, (w) => w.policyName !== undefined);
    const event = labelingJobEvent(world);

    const error = await thrownBy(handler(event));

    // Then the writes stopped at the denied one, and the note lists what was already applied
    expect(writesSent(iam)).toEqual([
      `PutRolePolicy ${world.executionRole.name}/GroundTruthLabelingLambdaInvoke`,
      `UpdateAssumeRolePolicy ${world.executionRole.name}`,
    ]);
    expect(error.report.notes?.[0]).toContain(
      `UpdateAssumeRolePolicy ${world.executionRole.name} failed (AccessDenied: User is not authorized to perform: iam:UpdateAssumeRolePolicy)` +
        `; already applied: PutRolePolicy ${world.executionRole.name}/GroundTruthLabelingLambdaInvoke`,
    );
    // And the report names exactly what was written
    expect(error.report.changes.map((c) => [c.action, c.roleName])).toEqual([
      ['PutRolePolicy', world.executionRole.name],
    ]);
    // And what moto holds is the applied document whole, the trust policy unchanged
    const execution = await snapshotRole(seed.iam, world.executionRole.name);
    expect(execution.inline.GroundTruthLabelingLambdaInvoke).toEqual(
      expectedInvokePolicy([world.preFunctionArn, world.postFunctionArn]),
    );
    expect(execution.trust).toEqual(world.executionRole.trust);
    expect(await snapshotRole(seed.iam, world.postRole.name)).toEqual(postBefore);
    expect((await sinks.readNotifications()).map((n) => n.attributes.outcome)).toEqual(['error']);

    // When Lambda retries the event
    iam.restore();
    const retried = reportOf(await handler(event));

    // Then it adds the trust statement that was missing, and nothing else
    expect(retried.outcome).toBe('remediated');
    expect(retried.changes.map((c) => [c.action, c.roleName])).toEqual([
      ['UpdateAssumeRolePolicy', world.executionRole.name],
    ]);
    expect((await snapshotRole(seed.iam, world.executionRole.name)).trust).toEqual(
      policy(...statementsOf(world.executionRole.trust), expectedTrustStatement([world.postRole.arn])),
    );
    expect(await snapshotRole(seed.iam, world.postRole.name)).toEqual(postBefore);
  });
});
