/** Snapshots checked: wrong exports and single pages are exit 2 naming the fix; bare arrays, tags, other regions. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type Io } from '../../cli/main';
import { inventoryFromSnapshot, SnapshotError } from '../../shared/core';
import { snapshotRegionMismatch } from '../../shared/core/snapshot';
import { snapshotAccounts, snapshotMismatch } from '../../shared/core/input-match';
import {
  buildIamJson,
  buildLambdaJson,
  createLabelingJobEvent,
  functionArn,
  GROUND_TRUTH_POLICY_ARN,
  type Json,
  type JsonObject,
  type SnapshotSpec,
} from '../fixtures/factory';

const IAM_FIX = 'export it with: aws iam get-account-authorization-details --output json > iam.json';
const LAMBDA_FIX = 'export it with: aws lambda list-functions --output json > lambda.json';
const PAGED = 'is one page of several';
const JOINS = 'export with the AWS CLI, which joins the pages';

const account: SnapshotSpec = {
  roles: [
    { name: 'ReceiptsLabelingExecution', path: '/service-role/', managed: [GROUND_TRUTH_POLICY_ARN] },
    { name: 'receipts-fn-role', trust: 'lambda', tags: { team: 'labeling' } },
  ],
  functions: [
    { name: 'receipts-pre', role: 'receipts-fn-role' },
    { name: 'receipts-post', role: 'receipts-fn-role' },
  ],
};
const iamJson = buildIamJson(account);
const lambdaJson = buildLambdaJson(account);
const functions = lambdaJson.Functions as JsonObject[];

let dir: string;
let n = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gt-remediate-snapshot-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes a snapshot directory with these two files' contents. */
function snapshot(iam: Json, lambda: Json): string {
  const path = join(dir, `s${++n}`);
  mkdirSync(path);
  writeFileSync(join(path, 'iam.json'), JSON.stringify(iam));
  writeFileSync(join(path, 'lambda.json'), JSON.stringify(lambda));
  return path;
}

async function check(
  snapshotPath: string,
  job: Parameters<typeof createLabelingJobEvent>[0] = {},
): Promise<{ status: number; stdout: string; stderr: string }> {
  const event = join(dir, `event${++n}.json`);
  writeFileSync(
    event,
    JSON.stringify(createLabelingJobEvent({ pre: 'receipts-pre', post: 'receipts-post', ...job })),
  );
  let stdout = '';
  let stderr = '';
  const io: Io = { out: (t) => void (stdout += t), err: (t) => void (stderr += t) };
  const status = await main(
    ['node', 'gt-remediate', 'check', '--event', event, '--snapshot', snapshotPath],
    io,
  );
  return { status, stdout, stderr };
}

describe('check --snapshot refuses exports that are not the whole account (exit 2, one line, the fix)', () => {
  const cases: [string, Json, Json, string[]][] = [
    [
      'aws iam list-roles output as iam.json',
      { Roles: [{ RoleName: 'x', Arn: 'arn:aws:iam::111122223333:role/x' }] },
      lambdaJson,
      ['iam.json has no RoleDetailList (the list of roles)', 'aws iam list-roles', IAM_FIX],
    ],
    [
      'an empty object as iam.json',
      {},
      lambdaJson,
      ['iam.json has no RoleDetailList', 'empty object', IAM_FIX],
    ],
    ['a list as iam.json', [], lambdaJson, ['iam.json is a list', IAM_FIX]],
    [
      'RoleDetailList that is not a list',
      { ...iamJson, RoleDetailList: { RoleName: 'x' } },
      lambdaJson,
      ['iam.json: RoleDetailList: the list of roles is an object, not a list', IAM_FIX],
    ],
    [
      'Policies that is not a list',
      { ...iamJson, Policies: 'none' },
      lambdaJson,
      ['iam.json: Policies: the list of managed policies is a string, not a list', IAM_FIX],
    ],
    [
      'one API page of iam.json',
      { ...iamJson, IsTruncated: true, Marker: 'AAA' },
      lambdaJson,
      [`iam.json ${PAGED} (IsTruncated); ${JOINS}`, 'aws iam get-account-authorization-details'],
    ],
    [
      'one API page of lambda.json',
      iamJson,
      { ...lambdaJson, NextMarker: 'next-page' },
      [`lambda.json ${PAGED} (NextMarker); ${JOINS}`, 'aws lambda list-functions'],
    ],
    [
      'lambda.json marked IsTruncated',
      iamJson,
      { ...lambdaJson, IsTruncated: true },
      [`lambda.json ${PAGED} (IsTruncated); ${JOINS}`],
    ],
    [
      'lambda.json without Functions',
      iamJson,
      {},
      ['lambda.json has no Functions (the list of functions)', LAMBDA_FIX],
    ],
    [
      'a role without its trust policy',
      { ...iamJson, RoleDetailList: [{ RoleName: 'Lost', Arn: 'arn:aws:iam::111122223333:role/Lost' }] },
      lambdaJson,
      [
        'iam.json: RoleDetailList[0] ("Lost").AssumeRolePolicyDocument (the trust policy) is missing',
        IAM_FIX,
      ],
    ],
    [
      'a bare function list with an entry lacking its ARN',
      iamJson,
      [{ FunctionName: 'receipts-pre', Role: 'arn:aws:iam::111122223333:role/receipts-fn-role' }],
      ['lambda.json: Functions[0] ("receipts-pre").FunctionArn (the function\'s ARN) is missing', LAMBDA_FIX],
    ],
    [
      'a function whose role is a number',
      iamJson,
      { Functions: [{ ...functions[0], Role: 7 }] },
      [
        'lambda.json: Functions[0] ("receipts-pre").Role (the function\'s execution role ARN) is a number, expected a string',
      ],
    ],
  ];

  it.each(cases)('%s', async (_name, iam, lambda, parts) => {
    // Given a snapshot directory with these files
    const path = snapshot(iam, lambda);
    // When the job is checked against it
    const { status, stdout, stderr } = await check(path);
    // Then the exit status is 2, with one line naming the file, the problem and the fix
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^gt-remediate: snapshot .*\n$/);
    expect(stderr.trimEnd()).not.toContain('\n');
    for (const part of parts) expect(stderr).toContain(part);
  });

  it('throws SnapshotError from the core, never an empty field name', () => {
    // Given a bare function list with a malformed entry
    // When it is read
    // Then the error names the field
    expect(() => inventoryFromSnapshot(iamJson, [{ Role: 'r' }])).toThrow(SnapshotError);
    expect(() => inventoryFromSnapshot(iamJson, [{ Role: 'r' }])).toThrow(
      /^lambda\.json: Functions\[0\]\.FunctionArn /,
    );
  });
});

describe('inventoryFromSnapshot', () => {
  it('reads lambda.json as the bare Functions array', () => {
    // Given the functions without the { Functions } wrapper
    // When the snapshot is read
    const bare = inventoryFromSnapshot(iamJson, functions);
    // Then it is the same inventory as the wrapped export
    expect(bare).toEqual(inventoryFromSnapshot(iamJson, lambdaJson));
    expect(bare.functions.get(functionArn('receipts-pre'))?.roleArn).toMatch(/role\/receipts-fn-role$/);
  });

  it('reads role tags and function tags in both shapes; no Tags stays unknown', () => {
    // Given function tags as an object, as a tag list, an empty object, and none
    const tagged = [
      { ...functions[0], Tags: { team: 'labeling', stage: 'prod' } },
      { ...functions[1], Tags: [{ Key: 'team', Value: 'labeling' }] },
      { ...functions[0], FunctionName: 'untagged', FunctionArn: functionArn('untagged'), Tags: {} },
      { ...functions[0], FunctionName: 'unknown', FunctionArn: functionArn('unknown') },
    ];
    // When the snapshot is read
    const inventory = inventoryFromSnapshot(iamJson, { Functions: tagged });
    // Then the tags are known where the export had them, and undefined where it had none
    expect(inventory.functions.get(functionArn('receipts-pre'))?.tags).toEqual({
      team: 'labeling',
      stage: 'prod',
    });
    expect(inventory.functions.get(functionArn('receipts-post'))?.tags).toEqual({ team: 'labeling' });
    expect(inventory.functions.get(functionArn('untagged'))?.tags).toEqual({});
    const unknown = inventory.functions.get(functionArn('unknown'));
    expect(unknown).toBeDefined();
    expect(unknown && 'tags' in unknown).toBe(false);
    expect(inventory.roles.get('receipts-fn-role')?.tags).toEqual({ team: 'labeling' });
    expect(inventory.roles.get('ReceiptsLabelingExecution')?.tags).toEqual({});
  });

  it('accepts iam.json without Policies (get-account-authorization-details --filter Role)', () => {
    // Given iam.json without the Policies list
    const rolesOnly = { ...iamJson };
    delete rolesOnly.Policies;
    // When it is read
    // Then the roles are there
    expect(inventoryFromSnapshot(rolesOnly, lambdaJson).roles.size).toBe(2);
  });
});

describe('snapshotRegionMismatch', () => {
  const elsewhere: SnapshotSpec = {
    ...account,
    functions: [
      { name: 'receipts-pre', role: 'receipts-fn-role', region: 'eu-west-1' },
      { name: 'other', role: 'receipts-fn-role', region: 'eu-central-1' },
    ],
  };

  it('warns when every function is in another region, and only then', () => {
    // Given inventories with functions elsewhere, in the job's region, and none
    const away = inventoryFromSnapshot(iamJson, buildLambdaJson(elsewhere));
    const home = inventoryFromSnapshot(iamJson, lambdaJson);
    const empty = inventoryFromSnapshot(iamJson, []);
    // When they are compared with the job's region
    // Then only the first one gets a warning naming the regions and the fix
    expect(snapshotRegionMismatch(away, 'us-east-1')).toBe(
      'lambda.json lists functions in eu-central-1, eu-west-1 only, the job runs in us-east-1: export it with --region us-east-1',
    );
    expect(snapshotRegionMismatch([...away.functions.values()], 'eu-west-1')).toBeUndefined();
    expect(snapshotRegionMismatch(home, 'us-east-1')).toBeUndefined();
    expect(snapshotRegionMismatch(empty, 'us-east-1')).toBeUndefined();
  });

  it('check refuses a snapshot of another region: exit 2, one line naming both, no report', async () => {
    // Given a snapshot whose lambda.json was exported in eu-west-1
    const away = snapshot(
      iamJson,
      buildLambdaJson({ ...elsewhere, functions: elsewhere.functions?.slice(0, 1) }),
    );
    const home = snapshot(iamJson, buildLambdaJson({ ...elsewhere, functions: [] }));
    // When a us-east-1 job is checked against it
    const refused = await check(away);
    const plain = await check(home);
    // Then the inputs do not match: one line, exit 2, no report (not FUNCTION_NOT_FOUND)
    expect(refused.stderr).toBe(
      'gt-remediate: inputs do not match: lambda.json lists functions in eu-west-1 only, the job runs in us-east-1: export it with --region us-east-1\n',
    );
    expect(refused.status).toBe(2);
    expect(refused.stdout).toBe('');
    expect(plain.stderr).toBe('');
    expect(plain.stdout).toContain('Outcome:');
  });
});

describe('inputs that do not match (offline)', () => {
  it('check refuses an event of another account than the snapshot: exit 2, one line naming both, no report', async () => {
    // Given the snapshot of account 111122223333 and an event from account 444455556666 (same role name)
    const other = '444455556666';
    // When the event is checked against it
    const { status, stdout, stderr } = await check(snapshot(iamJson, lambdaJson), {
      account: other,
      roleArn: `arn:aws:iam::${other}:role/service-role/ReceiptsLabelingExecution`,
      pre: functionArn('receipts-pre', 'us-east-1', other),
      post: functionArn('receipts-post', 'us-east-1', other),
    });
    // Then one line names both accounts, exit 2, and no ROLE_NOT_FOUND report is printed
    expect(stderr).toBe(
      `gt-remediate: inputs do not match: the job is in account ${other}, the snapshot is of account 111122223333 (export iam.json and lambda.json with credentials of ${other})\n`,
    );
    expect(status).toBe(2);
    expect(stdout).toBe('');
  });

  it("takes the snapshot's account from its roles, else its functions, and matches the job's", () => {
    // Given a whole snapshot, one without roles, and an empty one
    const whole = inventoryFromSnapshot(iamJson, lambdaJson);
    const functionsOnly = inventoryFromSnapshot({ RoleDetailList: [] }, lambdaJson);
    const empty = inventoryFromSnapshot({ RoleDetailList: [] }, []);
    // Then the accounts are the roles', else the functions', else none (nothing to compare)
    expect(snapshotAccounts(whole)).toEqual(['111122223333']);
    expect(snapshotAccounts(functionsOnly)).toEqual(['111122223333']);
    expect(snapshotAccounts(empty)).toEqual([]);
    expect(snapshotMismatch(whole, { accountId: '111122223333', region: 'us-east-1' })).toBeUndefined();
    expect(snapshotMismatch(empty, { accountId: '444455556666', region: 'eu-west-1' })).toBeUndefined();
    expect(snapshotMismatch(functionsOnly, { accountId: '444455556666', region: 'us-east-1' })).toMatch(
      /^inputs do not match: the job is in account 444455556666, the snapshot is of account 111122223333 /,
    );
    expect(snapshotMismatch(whole, { accountId: '111122223333', region: 'eu-west-1' })).toBe(
      'inputs do not match: lambda.json lists functions in us-east-1 only, the job runs in eu-west-1: export it with --region eu-west-1',
    );
  });
});
