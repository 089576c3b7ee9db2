/**
 * proveChanges: a plan must keep every existing statement, add no wildcard, clear what it claims and
 * open nothing else. planChanges never produces a bad plan for these accounts, so the bad plans here
 * are made by hand.
 */
import {
  planJob,
  DEFAULT_CORE_OPTIONS,
  inventoryFromSnapshot,
  type Change,
  type CoreOptions,
  type LabelingJobRequest,
  type PolicyDocument,
  type PolicyStatement,
} from '../../shared/core';
import { assessJob, type Assessment } from '../../shared/core/evaluate';
import { proveChanges } from '../../shared/core/prove';
import {
  ACCOUNT,
  BASIC_EXECUTION_POLICY_ARN,
  buildIamJson,
  buildLambdaJson,
  functionArn,
  policy,
  REGION,
  roleArn,
  type SnapshotSpec,
  exampleRequest,
} from '../fixtures/factory';

const NOW = new Date('2026-11-29T10:15:00Z');
const EXEC = roleArn('ReceiptsLabelingExecution', '/service-role/');
const LAMBDA_ROLE = roleArn('receipts-consolidate-role');
const OTHER_LAMBDA_ROLE = roleArn('zeta-consolidate-role');
const PRE = functionArn('receipts-pre-annotation');
const POST = functionArn('receipts-consolidate');
const SID = DEFAULT_CORE_OPTIONS.trustStatementSid;

const sagemakerTrust: PolicyStatement = {
  Effect: 'Allow',
  Principal: { Service: 'sagemaker.amazonaws.com' },
  Action: 'sts:AssumeRole',
  Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
};
const ourTrust = (...principals: string[]): PolicyStatement => ({
  Sid: SID,
  Effect: 'Allow',
  Principal: { AWS: principals },
  Action: 'sts:AssumeRole',
});

const snapshot: SnapshotSpec = {
  roles: [
    {
      name: 'ReceiptsLabelingExecution',
      path: '/service-role/',
      trust: policy(sagemakerTrust, ourTrust(OTHER_LAMBDA_ROLE)),
      // The execution role reads the data itself, so the chain needs only the trust change.
      inline: {
        ReadLabelingData: policy({
          Effect: 'Allow',
          // The execution role reads the data and writes the job's output (Ground Truth writes as it).
          Action: ['s3:GetObject', 's3:PutObject'],
          Resource: 'arn:aws:s3:::receipts-labeling-data/*',
        }),
      },
    },
    { name: 'receipts-consolidate-role', trust: 'lambda', managed: [BASIC_EXECUTION_POLICY_ARN] },
  ],
  functions: [
    { name: 'receipts-pre-annotation', role: 'receipts-consolidate-role' },
    { name: 'receipts-consolidate', role: 'receipts-consolidate-role' },
  ],
};
const inventory = inventoryFromSnapshot(buildIamJson(snapshot), buildLambdaJson(snapshot));
const request: LabelingJobRequest = exampleRequest();

function options(strategy: CoreOptions['strategy'] = 'assume-role'): CoreOptions {
  return { ...DEFAULT_CORE_OPTIONS, strategy };
}

async function claimedFor(req: LabelingJobRequest, o: CoreOptions): Promise<Assessment[]> {
  return (await assessJob(req, inventory, o, NOW)).assessments.filter((a) => a.finding.fixable);
}

const put = (roleName: string, policyName: string, ...statements: PolicyStatement[]): Change => ({
  action: 'PutRolePolicy',
  roleName,
  policyName,
  document: policy(...statements),
  ownSid: policyName,
});
const trust = (document: PolicyDocument): Change => ({
  action: 'UpdateAssumeRolePolicy',
  roleName: 'ReceiptsLabelingExecution',
  document,
  ownSid: SID,
});
const invokeGrant = (...resources: string[]): Change =>
  put('ReceiptsLabelingExecution', 'GroundTruthLabelingLambdaInvoke', {
    Sid: 'GroundTruthLabelingLambdaInvoke',
    Effect: 'Allow',
    Action: 'lambda:InvokeFunction',
    Resource: resources,
  });
const assumeGrant: Change = put('receipts-consolidate-role', 'GroundTruthAssumeExecutionRole', {
  Sid: 'GroundTruthAssumeExecutionRole',
  Effect: 'Allow',
  Action: 'sts:AssumeRole',
  Resource: [EXEC],
});
const goodTrust = trust(policy(sagemakerTrust, ourTrust(LAMBDA_ROLE, OTHER_LAMBDA_ROLE)));

describe('proveChanges', () => {
  it('accepts the plan checkJob makes', async () => {
    // Given the plan the core itself computes for the job
    const { changes } = await planJob(request, inventory, { core: options(), dryRun: true, now: NOW });
    expect(changes.map((c) => c.action)).toEqual(['PutRolePolicy', 'UpdateAssumeRolePolicy']);

    // When it is proved
    const failure = await proveChanges(
      request,
      inventory,
      await claimedFor(request, options()),
      changes,
      options(),
      NOW,
    );

    // Then it holds
    expect(failure).toBeUndefined();
  });

  it('accepts the same plan written by hand (the control for every rejection below)', async () => {
    // Given the two writes the job needs
    const changes = [invokeGrant(POST, PRE), goodTrust];

    // When they are proved
    const failure = await proveChanges(
      request,
      inventory,
      await claimedFor(request, options()),
      changes,
      options(),
      NOW,
    );

    // Then they hold
    expect(failure).toBeUndefined();
  });

  it.each<[string, Change[], RegExp]>([
    [
      'drops a trust statement',
      [assumeGrant, invokeGrant(POST, PRE), trust(policy(ourTrust(LAMBDA_ROLE, OTHER_LAMBDA_ROLE)))],
      /would drop or alter statement/,
    ],
    [
      'alters the condition of a trust statement',
      [
        assumeGrant,
        invokeGrant(POST, PRE),
        trust(
          policy(
            { ...sagemakerTrust, Condition: { StringEquals: { 'aws:SourceAccount': '444455556666' } } },
            ourTrust(LAMBDA_ROLE, OTHER_LAMBDA_ROLE),
          ),
        ),
      ],
      /ReceiptsLabelingExecution would drop or alter statement/,
    ],
    [
      'shrinks its own trust statement',
      [assumeGrant, invokeGrant(POST, PRE), trust(policy(sagemakerTrust, ourTrust(LAMBDA_ROLE)))],
      /would shrink statement GroundTruthPostAnnotationLambdaAssume/,
    ],
    [
      'grants invoke on every function of the account',
      [assumeGrant, invokeGrant(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:*`), goodTrust],
      /would grant a wildcard \(arn:aws:lambda:us-east-1:111122223333:function:\*\)/,
    ],
    [
      'trusts every principal',
      [assumeGrant, invokeGrant(POST, PRE), trust(policy(sagemakerTrust, ourTrust('*', OTHER_LAMBDA_ROLE)))],
      /would grant a wildcard \(\*\)/,
    ],
    [
      'trusts the whole account (no wildcard character, but more than the Lambda role)',
      [
        assumeGrant,
        invokeGrant(POST, PRE),
        trust(
          policy(sagemakerTrust, ourTrust(LAMBDA_ROLE, OTHER_LAMBDA_ROLE, `arn:aws:iam::${ACCOUNT}:root`)),
        ),
      ],
      /would also allow sts:AssumeRole on arn:aws:iam::111122223333:role\/service-role\/ReceiptsLabelingExecution for arn:aws:iam::111122223333:role\/gt-remediator-proof-probe/,
    ],
    [
      'grants invoke through NotResource',
      [
        assumeGrant,
        put('ReceiptsLabelingExecution', 'GroundTruthLabelingLambdaInvoke', {
          Sid: 'GroundTruthLabelingLambdaInvoke',
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          NotResource: 'arn:aws:lambda:us-east-1:111122223333:function:nothing',
        }),
        goodTrust,
      ],
      /would also allow lambda:InvokeFunction on arn:aws:lambda:us-east-1:111122223333:function:gt-remediator-proof-probe/,
    ],
    [
      'lets the Lambda role assume any role through NotResource',
      [
        put('receipts-consolidate-role', 'GroundTruthAssumeExecutionRole', {
          Sid: 'GroundTruthAssumeExecutionRole',
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          NotResource: OTHER_LAMBDA_ROLE,
        }),
        invokeGrant(POST, PRE),
        goodTrust,
      ],
      /would also allow sts:AssumeRole on arn:aws:iam::111122223333:role\/gt-remediator-proof-probe for arn:aws:iam::111122223333:role\/receipts-consolidate-role/,
    ],
    [
      'does not clear what it claims',
      [assumeGrant, invokeGrant(POST), goodTrust],
      /does not clear INVOKE_DENIED for arn:aws:lambda:us-east-1:111122223333:function:receipts-pre-annotation/,
    ],
    [
      'leaves out the trust statement',
      [assumeGrant, invokeGrant(POST, PRE)],
      /does not clear OUTPUT_READ_DENIED for arn:aws:s3:::receipts-labeling-data\/output\/receipts-7\/\*/,
    ],
  ])('rejects a plan that %s', async (_what, changes, reason) => {
    // Given a hand-made plan for the job's claimed findings
    const claimed = await claimedFor(request, options());

    // When it is proved
    const failure = await proveChanges(request, inventory, claimed, changes, options(), NOW);

    // Then the proof fails, saying why
    expect(failure).toMatch(reason);
  });

  describe('with strategy s3-read', () => {
    const readGrant = (resource: string): Change =>
      put('receipts-consolidate-role', 'GroundTruthReadLabelingOutput', {
        Sid: 'GroundTruthReadLabelingOutput',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: [resource],
        Condition: { StringEquals: { 's3:ResourceAccount': ACCOUNT } },
      });

    it('accepts the output-prefix grant, the one wildcard the design allows', async () => {
      // Given the read grant on the job's output prefix
      const changes = [
        invokeGrant(POST, PRE),
        readGrant('arn:aws:s3:::receipts-labeling-data/output/receipts-7/*'),
      ];

      // When it is proved
      const failure = await proveChanges(
        request,
        inventory,
        await claimedFor(request, options('s3-read')),
        changes,
        options('s3-read'),
        NOW,
      );

      // Then it holds
      expect(failure).toBeUndefined();
    });

    it.each([
      ['the whole output prefix (every job under it)', 'arn:aws:s3:::receipts-labeling-data/output/*'],
      ['the whole bucket', 'arn:aws:s3:::receipts-labeling-data/*'],
      ['every bucket', 'arn:aws:s3:::*'],
    ])('rejects a read grant on %s', async (_what, resource) => {
      // Given a read grant wider than the output prefix
      const changes = [invokeGrant(POST, PRE), readGrant(resource)];

      // When it is proved
      const failure = await proveChanges(
        request,
        inventory,
        await claimedFor(request, options('s3-read')),
        changes,
        options('s3-read'),
        NOW,
      );

      // Then the proof fails on the wildcard
      expect(failure).toBe(`the patch for receipts-consolidate-role would grant a wildcard (${resource})`);
    });

    it('rejects the output-prefix grant when the prefix itself holds a *', async () => {
      // Given a job whose output prefix contains * (legal in S3 keys, a wildcard to IAM)
      const starred = { ...request, outputS3Uri: 's3://receipts-labeling-data/out*put/' };
      const changes = [
        invokeGrant(POST, PRE),
        readGrant('arn:aws:s3:::receipts-labeling-data/out*put/receipts-7/*'),
      ];

      // When the grant the planner would make for it is proved
      const failure = await proveChanges(starred, inventory, [], changes, options('s3-read'), NOW);

      // Then it is refused as a wildcard
      expect(failure).toBe(
        'the patch for receipts-consolidate-role would grant a wildcard (arn:aws:s3:::receipts-labeling-data/out*put/receipts-7/*)',
      );
    });
  });

  describe("with the remediator's own statement already in place", () => {
    /** The inventory with the execution role's inline policy `name` (or, for `trust`, its trust policy) replaced by `doc`. */
    function withExecutionDocument(name: string, doc: PolicyDocument): typeof inventory {
      const roles = new Map(inventory.roles);
      const exec = roles.get('ReceiptsLabelingExecution');
      if (!exec) throw new Error('fixture lacks the execution role');
      roles.set(
        exec.name,
        name === 'trust'
          ? { ...exec, trustPolicy: doc }
          : { ...exec, inlinePolicies: [{ name, document: doc }] },
      );
      return { ...inventory, roles };
    }

    it.each<[string, string, PolicyStatement, Change, RegExp]>([
      [
        'drops the Condition of its own trust statement',
        'trust',
        { ...ourTrust(OTHER_LAMBDA_ROLE), Condition: { StringEquals: { 'sts:ExternalId': 'zeta-only' } } },
        trust(policy(ourTrust(LAMBDA_ROLE, OTHER_LAMBDA_ROLE))),
        /would change more than the ARNs of statement GroundTruthPostAnnotationLambdaAssume/,
      ],
      [
        'drops a Service principal of its own trust statement',
        'trust',
        {
          ...ourTrust(OTHER_LAMBDA_ROLE),
          Principal: { AWS: [OTHER_LAMBDA_ROLE], Service: 'ec2.amazonaws.com' },
        },
        trust(policy(ourTrust(LAMBDA_ROLE, OTHER_LAMBDA_ROLE))),
        /would change more than the ARNs of statement GroundTruthPostAnnotationLambdaAssume/,
      ],
      [
        'turns its own invoke statement from Deny to Allow',
        'GroundTruthLabelingLambdaInvoke',
        {
          Sid: 'GroundTruthLabelingLambdaInvoke',
          Effect: 'Deny',
          Action: 'lambda:InvokeFunction',
          Resource: ['*'],
        },
        invokeGrant('*', PRE),
        /would change more than the ARNs of statement GroundTruthLabelingLambdaInvoke/,
      ],
    ])('rejects a plan that %s', async (_what, where, existing, change, reason) => {
      // Given the remediator's statement as an earlier run (or a person) left it
      const before = withExecutionDocument(where, policy(existing));

      // When a plan rewrites it
      const failure = await proveChanges(request, before, [], [change], options(), NOW);

      // Then the proof fails: the statement may gain ARNs, nothing else may change
      expect(failure).toMatch(reason);
    });

    it('accepts growing its own statement written with an Action list and other key order', async () => {
      // Given the remediator's invoke statement with Action as a list and keys in another order
      const before = withExecutionDocument(
        'GroundTruthLabelingLambdaInvoke',
        policy({
          Resource: [POST],
          Action: ['lambda:InvokeFunction'],
          Effect: 'Allow',
          Sid: 'GroundTruthLabelingLambdaInvoke',
        }),
      );

      // When the canonical statement with one more ARN replaces it
      const failure = await proveChanges(request, before, [], [invokeGrant(POST, PRE)], options(), NOW);

      // Then it holds
      expect(failure).toBeUndefined();
    });
  });

  it('rejects a plan with a change it does not need (not minimal)', async () => {
    // Given the two writes the job needs plus an identity policy the trust statement makes redundant
    const changes = [assumeGrant, invokeGrant(POST, PRE), goodTrust];

    // When they are proved
    const failure = await proveChanges(
      request,
      inventory,
      await claimedFor(request, options()),
      changes,
      options(),
      NOW,
    );

    // Then the proof names the change that is not needed
    expect(failure).toBe(
      'the patch is not minimal: PutRolePolicy on receipts-consolidate-role is not needed',
    );
  });

  it('proves nothing for an empty plan', async () => {
    // Given no changes
    // When they are proved
    // Then there is nothing to refuse
    await expect(proveChanges(request, inventory, [], [], options(), NOW)).resolves.toBeUndefined();
  });
});

describe('proveChanges under auto: each reading path minimal, and either alone clears the finding', () => {
  const auto = options('auto');
  const directRead = put('receipts-consolidate-role', 'GroundTruthReadLabelingOutput', {
    Sid: 'GroundTruthReadLabelingOutput',
    Effect: 'Allow',
    Action: 's3:GetObject',
    Resource: ['arn:aws:s3:::receipts-labeling-data/output/receipts-7/*'],
    Condition: { StringEquals: { 's3:ResourceAccount': ACCOUNT } },
  });

  it('accepts the plan checkJob makes: the direct read and the trust statement', async () => {
    const { changes } = await planJob(request, inventory, { core: auto, dryRun: true, now: NOW });
    expect(changes.map((c) => `${c.action} ${c.roleName}`).sort()).toEqual([
      'PutRolePolicy ReceiptsLabelingExecution',
      'PutRolePolicy receipts-consolidate-role',
      'UpdateAssumeRolePolicy ReceiptsLabelingExecution',
    ]);
    await expect(
      proveChanges(request, inventory, await claimedFor(request, auto), changes, auto, NOW, undefined),
    ).resolves.toBeUndefined();
  });

  it('still refuses a path that carries a change it does not need (trust and the assume grant)', async () => {
    const changes = [invokeGrant(POST, PRE), directRead, goodTrust, assumeGrant];
    await expect(
      proveChanges(request, inventory, await claimedFor(request, auto), changes, auto, NOW, undefined),
    ).resolves.toMatch(/not minimal: PutRolePolicy on receipts-consolidate-role/);
  });

  it('refuses a trust statement that does not clear the finding alone, though the direct read does', async () => {
    // Our statement grows by a role that is not the function's: the assume path opens nothing for it.
    const wrongTrust = trust(policy(sagemakerTrust, ourTrust(OTHER_LAMBDA_ROLE, roleArn('someone-else'))));
    const changes = [invokeGrant(POST, PRE), directRead, wrongTrust];
    await expect(
      proveChanges(request, inventory, await claimedFor(request, auto), changes, auto, NOW, undefined),
    ).resolves.toMatch(/one reading path alone does not clear OUTPUT_READ_DENIED/);
  });

  it('under assume-role the same two paths are one plan, and the direct read is not needed', async () => {
    const changes = [invokeGrant(POST, PRE), directRead, goodTrust];
    await expect(
      proveChanges(
        request,
        inventory,
        await claimedFor(request, options()),
        changes,
        options(),
        NOW,
        undefined,
      ),
    ).resolves.toMatch(/not minimal/);
  });
});
