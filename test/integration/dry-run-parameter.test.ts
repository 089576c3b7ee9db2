/**
 * The SSM dry-run switch, read on every invocation: `true`/`false` in any case; missing, unreadable
 * or any other value means dry-run, and the notification says why.
 */
import { GetParameterCommand, SSMServiceException } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { makeHandler } from '../../functions/remediate/handler';
import { createClients } from '../../shared/aws/clients';
import { REGION, setParameter, snapshotRole, type RoleSnapshot } from '../support/aws-world';
import { type ReceivedNotification } from './delivery-sinks';
import { reportOf, testDeps } from './handler-deps';
import { useHandlerWorld } from './handler-world';
import { expectedInvokePolicy, labelingJobEvent, type JobWorld } from '../support/labeling-job-world';

const { parameter, seed, sinks, newWorld, handlerWith } = useHandlerWorld('dr');
/** One job for the cases that must not write: it stays unremediated, so every run has changes to propose. */
let untouched: JobWorld;
let untouchedBefore: RoleSnapshot[];

beforeAll(async () => {
  untouched = await newWorld();
  untouchedBefore = await snapshotRoles(untouched);
});

function snapshotRoles(world: JobWorld): Promise<RoleSnapshot[]> {
  return Promise.all(
    [world.executionRole.name, world.postRole.name].map((name) => snapshotRole(seed.iam, name)),
  );
}

async function onlyNotification(): Promise<ReceivedNotification> {
  const notifications = await sinks.readNotifications();
  expect(notifications).toHaveLength(1);
  return notifications[0];
}

describe('dry-run parameter', () => {
  it.each(['true', 'TRUE', 'True', ' true\n'])(
    '%j turns dry-run on without a note, and nothing is written',
    async (value) => {
      await setParameter(seed.ssm, parameter, value);

      const report = reportOf(await handlerWith()(labelingJobEvent(untouched)));

      expect(report).toMatchObject({ outcome: 'proposed', dryRun: true });
      expect(report.notes).toBeUndefined();
      expect(await snapshotRoles(untouched)).toEqual(untouchedBefore);
      const notification = await onlyNotification();
      expect(notification.attributes.dryRun).toBe('true');
      expect(notification.message).toContain(
        `aws ssm put-parameter --region ${REGION} --name ${parameter} --type String --value false --overwrite`,
      );
    },
  );

  it.each(['false', 'FALSE', 'False'])('%j turns dry-run off, and the changes are applied', async (value) => {
    const world = await newWorld();
    await setParameter(seed.ssm, parameter, value);

    const report = reportOf(await handlerWith()(labelingJobEvent(world)));

    expect(report).toMatchObject({ outcome: 'remediated', dryRun: false });
    expect(report.notes).toBeUndefined();
    const [execution] = await snapshotRoles(world);
    expect(execution?.inline.GroundTruthLabelingLambdaInvoke).toEqual(
      expectedInvokePolicy([world.preFunctionArn, world.postFunctionArn]),
    );
    const notification = await onlyNotification();
    expect(notification.attributes).toEqual({ outcome: 'remediated', dryRun: 'false', severity: 'high' });
    expect(notification.message).toContain(`Dry run is off in ${REGION}.`);
    expect(notification.message).toContain('To undo these changes:');
  });

  it.each(['yes', 'no', '0', 'off', 'falsey'])(
    '%j is no decision: dry-run, and the notification says why',
    async (value) => {
      await setParameter(seed.ssm, parameter, value);

      const report = reportOf(await handlerWith()(labelingJobEvent(untouched)));

      const why = `SSM parameter ${parameter} is "${value}", not true or false: dry-run is on`;
      expect(report).toMatchObject({ outcome: 'proposed', dryRun: true, notes: [why] });
      expect(await snapshotRoles(untouched)).toEqual(untouchedBefore);
      const notification = await onlyNotification();
      expect(notification.attributes.dryRun).toBe('true');
      expect(notification.message).toContain(`Note: ${why}`);
    },
  );

  it('missing: dry-run, and the notification says the parameter does not exist', async () => {
    await setParameter(seed.ssm, parameter, undefined);

    const report = reportOf(await handlerWith()(labelingJobEvent(untouched)));

    expect(report).toMatchObject({ outcome: 'proposed', dryRun: true });
    expect(await snapshotRoles(untouched)).toEqual(untouchedBefore);
    expect((await onlyNotification()).message).toContain(
      `Note: SSM parameter ${parameter} does not exist: dry-run is on`,
    );
  });

  it('unreadable (AccessDenied): dry-run, and the notification names the error', async () => {
    // Given a parameter that says false, but a role that may not read it
    await setParameter(seed.ssm, parameter, 'false');
    const clients = createClients({ region: REGION });
    const ssm = mockClient(clients.ssm);
    ssm.on(GetParameterCommand).rejects(
      new SSMServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'not authorized to perform: ssm:GetParameter',
      }),
    );

    const report = reportOf(await handlerWith({ clients })(labelingJobEvent(untouched)));

    // Then the remediator fails safe: it proposes, writes nothing and explains
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: parameter });
    expect(report).toMatchObject({ outcome: 'proposed', dryRun: true });
    expect(await snapshotRoles(untouched)).toEqual(untouchedBefore);
    expect((await onlyNotification()).message).toContain(
      `Note: SSM parameter ${parameter} could not be read (AccessDeniedException: not authorized to perform: ssm:GetParameter): dry-run is on`,
    );
  });

  it('not configured: dry-run, and the notification says so', async () => {
    const report = reportOf(
      await makeHandler(testDeps({ topicArn: sinks.topicArn }))(labelingJobEvent(untouched)),
    );

    expect(report).toMatchObject({
      outcome: 'proposed',
      dryRun: true,
      notes: ['no dry-run parameter is configured: dry-run is on'],
    });
    expect(await snapshotRoles(untouched)).toEqual(untouchedBefore);
    expect((await onlyNotification()).message).toContain(
      'Note: no dry-run parameter is configured: dry-run is on',
    );
  });

  it('is read on every invocation, not once per cold start', async () => {
    // Given one handler instance (one warm Lambda container)
    const world = await newWorld();
    const handler = handlerWith();

    // When the operator flips the parameter from true to false between two events
    await setParameter(seed.ssm, parameter, 'true');
    const first = reportOf(await handler(labelingJobEvent(world)));
    await setParameter(seed.ssm, parameter, 'false');
    const second = reportOf(await handler(labelingJobEvent(world)));

    // Then the first proposes and the second applies
    expect([first.outcome, second.outcome]).toEqual(['proposed', 'remediated']);
    expect(second.changes).toEqual(first.changes);
  });
});
