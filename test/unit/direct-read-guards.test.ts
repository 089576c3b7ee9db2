/** The direct read grant's guards, pure: a new folder the execution role can write, or no grant. */
import { DEFAULT_CORE_OPTIONS, planJob, type OutputFolderFact } from '../../shared/core';
import { checkOutputFolderNew } from '../../shared/core/checks/output-folder-new';
import { exampleRequest, functionArn, policy, roleArn, serviceTrust } from '../fixtures/factory';
import { inventoryOf, roleInfo } from '../fixtures/role-info';

const CREATED = '2026-12-08T10:00:00.500Z';
const request = { ...exampleRequest(), creationTime: CREATED };
const GRANT = `arn:aws:s3:::receipts-labeling-data/output/${request.jobName}/*`;

/** The example job's roles: the execution role may write its bucket (or `writes` says otherwise). */
function inventory(
  folder: OutputFolderFact | undefined,
  writes: unknown = 'arn:aws:s3:::receipts-labeling-data/*',
) {
  const execution = roleInfo('ReceiptsLabelingExecution', {
    path: '/service-role/',
    inlinePolicies: [
      {
        name: 'data',
        document: policy(
          { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: '*' },
          { Effect: 'Allow', Action: 's3:PutObject', Resource: writes as string },
        ),
      },
    ],
  });
  const post = roleInfo('ReceiptsConsolidate', { trustPolicy: serviceTrust('lambda.amazonaws.com') });
  const pre = roleInfo('ReceiptsPre', { trustPolicy: serviceTrust('lambda.amazonaws.com') });
  const inv = inventoryOf(
    [execution, post, pre],
    [
      { arn: functionArn('receipts-pre-annotation'), roleArn: pre.arn },
      { arn: functionArn('receipts-consolidate'), roleArn: post.arn },
    ],
  );
  return folder ? { ...inv, outputFolder: folder } : inv;
}

const check = (folder: OutputFolderFact | undefined, dryRun = false, inv = inventory(folder)) =>
  planJob(request, inv, {
    core: { ...DEFAULT_CORE_OPTIONS, strategy: 's3-read' },
    dryRun,
    now: new Date('2026-12-08T10:00:30Z'),
  });

describe('checkOutputFolderNew', () => {
  it.each([
    [
      'an object a second before the job',
      { checked: true, complete: true, oldestObject: '2026-12-08T09:59:59.000Z' },
      'not-new',
    ],
    [
      'an object of the job’s own first second',
      { checked: true, complete: true, oldestObject: '2026-12-08T10:00:00.000Z' },
      'new',
    ],
    ['no object', { checked: true, complete: true }, 'new'],
    [
      'a page of new objects with more after it',
      { checked: true, complete: false, oldestObject: '2026-12-08T10:00:10Z' },
      'not-checked',
    ],
    ['a listing that was denied', { checked: false, why: 'denied' }, 'not-checked'],
    ['no listing at all (offline)', undefined, 'not-checked'],
  ] as const)('%s: %s', (_, folder, kind) => {
    expect(checkOutputFolderNew({ request, grantArn: GRANT, folder, now: new Date() }).kind).toBe(kind);
  });

  it('counts every existing object as older when the job does not exist yet (a CreateLabelingJob request)', () => {
    const before = { ...request, creationTime: undefined };
    const folder = { checked: true, complete: true, oldestObject: '2026-12-08T10:00:20Z' } as const;
    expect(
      checkOutputFolderNew({
        request: before,
        grantArn: GRANT,
        folder,
        now: new Date('2026-12-08T10:00:30Z'),
      }).kind,
    ).toBe('not-new');
  });
});

describe('the direct read grant (strategy s3-read)', () => {
  it('is planned for a new folder', async () => {
    const { report, changes } = await check({ checked: true, complete: true });
    expect(report.outcome).toBe('proposed');
    expect(
      changes.map((c) => [c.roleName, c.action === 'PutRolePolicy' ? c.policyName : c.action]),
    ).toContainEqual(['ReceiptsConsolidate', 'GroundTruthReadLabelingOutput']);
  });

  it('is blocked with OUTPUT_FOLDER_NOT_NEW for a folder that held data before the job, naming a date and no key', async () => {
    const { report, changes } = await check({
      checked: true,
      complete: true,
      oldestObject: '2025-01-31T08:00:00.000Z',
    });
    expect(report.outcome).toBe('blocked');
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        code: 'OUTPUT_FOLDER_NOT_NEW',
        reason: 'folder-not-new',
        resource: GRANT,
        detail: expect.stringContaining('2025-01-31T08:00:00.000Z') as unknown,
      }),
    );
    expect(changes).toEqual([]);
    // And a person sees the grant as a change they could make by hand, after checking the folder
    expect(report.manualChanges?.map((c) => c.policyName)).toEqual(['GroundTruthReadLabelingOutput']);
  });

  it('offline (dry-run, folder not listed) is proposed only, with folder-not-checked in the notes', async () => {
    const { report, changes } = await check(undefined, true);
    expect(report.outcome).toBe('proposed');
    expect(changes.some((c) => c.roleName === 'ReceiptsConsolidate')).toBe(true);
    expect(report.notes?.some((n) => n.startsWith('folder-not-checked:'))).toBe(true);
  });

  it('is never planned for writing when the folder was not checked', async () => {
    const { report, changes } = await check(undefined, false);
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        code: 'OUTPUT_FOLDER_NOT_NEW',
        reason: 'folder-not-checked',
        fixable: false,
      }),
    );
    expect(changes.some((c) => c.roleName === 'ReceiptsConsolidate')).toBe(false);
  });

  it('is blocked with EXECUTION_ROLE_CANNOT_WRITE_OUTPUT when the execution role may not write the folder', async () => {
    const folder = { checked: true, complete: true } as const;
    const { report, changes } = await check(
      folder,
      false,
      inventory(folder, 'arn:aws:s3:::another-bucket/*'),
    );
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        code: 'EXECUTION_ROLE_CANNOT_WRITE_OUTPUT',
        reason: 'cannot-write-output',
        principal: roleArn('ReceiptsLabelingExecution', '/service-role/'),
        resource: GRANT,
      }),
    );
    expect(changes.some((c) => c.roleName === 'ReceiptsConsolidate')).toBe(false);
  });

  it('says depends-on-unknown-context when a condition on the write decides', async () => {
    const folder = { checked: true, complete: true } as const;
    const inv = inventory(folder);
    const execution = inv.roles.get('ReceiptsLabelingExecution');
    if (!execution) throw new Error('no execution role');
    const conditioned = {
      ...execution,
      inlinePolicies: [
        {
          name: 'data',
          document: policy(
            { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: '*' },
            {
              Effect: 'Allow',
              Action: 's3:PutObject',
              Resource: 'arn:aws:s3:::receipts-labeling-data/*',
              Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-0123' } },
            },
          ),
        },
      ],
    };
    const roles = new Map(inv.roles);
    roles.set(execution.name, conditioned);
    const { report } = await check(folder, false, { ...inv, roles });
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        code: 'EXECUTION_ROLE_CANNOT_WRITE_OUTPUT',
        reason: 'depends-on-unknown-context',
      }),
    );
  });

  it('runs no guard when the function can already read (nothing to grant)', async () => {
    const folder = { checked: true, complete: true, oldestObject: '2020-01-01T00:00:00Z' } as const;
    const inv = inventory(folder);
    const post = inv.roles.get('ReceiptsConsolidate');
    if (!post) throw new Error('no post role');
    const roles = new Map(inv.roles);
    roles.set(post.name, {
      ...post,
      inlinePolicies: [
        { name: 'own', document: policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }) },
      ],
    });
    const { report } = await check(folder, false, { ...inv, roles });
    expect(report.findings.map((f) => f.code)).not.toContain('OUTPUT_FOLDER_NOT_NEW');
  });
});
