/** Requests a proposal must NOT newly allow: outside the prefix, region, account, roles and services it is for. */
import { authorArns, RECIPE_PUBLISHER_ACCOUNT, type AuthorRequest, type AuthorScope } from './capabilities';

/** A request evaluated before and after the proposal, in `region`. */
export interface Probe {
  /** What the probe stands for, for the proof's failure message. */
  label: string;
  request: AuthorRequest;
  region: string;
}

const OTHER_REGION: Record<string, [string, string]> = {
  aws: ['us-east-1', 'eu-west-1'],
  'aws-cn': ['cn-north-1', 'cn-northwest-1'],
  'aws-us-gov': ['us-gov-west-1', 'us-gov-east-1'],
};

/** A region of the same partition other than `region`. */
export function otherRegion(partition: string, region: string): string {
  const [a, b] = OTHER_REGION[partition] ?? ['us-east-1', 'eu-west-1'];
  return region === a ? b : a;
}

/** The probe function name, outside any prefix the person is likely to choose. */
export const PROBE_FUNCTION = 'GtRemediateProbeOutsidePrefix';
/** The probe role name (another role than the one the proposal may pass). */
export const PROBE_ROLE = 'GtRemediateProbeRole';
const PROBE_ACCOUNT = '000000000000';

/** Every probe for `scope`, given the capabilities the proposal covers. */
export function probesFor(scope: AuthorScope): Probe[] {
  const s = scope;
  const elsewhere: AuthorScope = { ...s, region: otherRegion(s.partition, s.region) };
  const mine = (
    label: string,
    action: string,
    resource: string,
    region = s.region,
    context?: Record<string, string>,
  ): Probe => ({
    label,
    region,
    request: {
      capability: 'create-functions',
      action,
      resource,
      resourceAccount: s.accountId,
      ...(context ? { context } : {}),
    },
  });
  const prefix = s.functionPrefix ?? '';
  // A name the proposal covers in this region, to probe it in another region and account.
  const sample = prefix !== '' ? `${prefix}probe` : ([...(s.functionNames ?? [])].sort()[0] ?? 'probe');
  const fn = (region: string, account: string, name: string): string =>
    `arn:${s.partition}:lambda:${region}:${account}:function:${name}`;
  const role = (name: string): string => `arn:${s.partition}:iam::${s.accountId}:role/${name}`;
  const probes: Probe[] = [
    mine(
      'a function in another region',
      'lambda:CreateFunction',
      fn(elsewhere.region, s.accountId, sample),
      elsewhere.region,
    ),
    mine(
      'invoking a function in another region',
      'lambda:InvokeFunction',
      fn(elsewhere.region, s.accountId, sample),
      elsewhere.region,
    ),
    {
      label: 'a function in another account',
      region: s.region,
      request: {
        capability: 'create-functions',
        action: 'lambda:UpdateFunctionCode',
        resource: fn(s.region, PROBE_ACCOUNT, sample),
        resourceAccount: PROBE_ACCOUNT,
      },
    },
    ...authorArns
      .functions(s)
      .flatMap((f) => [
        mine('deleting the functions', 'lambda:DeleteFunction', f),
        mine('changing who may invoke the functions', 'lambda:AddPermission', f),
      ]),
    mine('listing functions in another region', 'lambda:ListFunctions', '*', elsewhere.region),
    mine(
      'a labeling job in another region',
      'sagemaker:CreateLabelingJob',
      authorArns.labelingJobs(elsewhere),
      elsewhere.region,
    ),
    mine(
      'a training job',
      'sagemaker:CreateTrainingJob',
      `arn:${s.partition}:sagemaker:${s.region}:${s.accountId}:training-job/probe`,
    ),
    {
      label: 'the recipe in another region',
      region: elsewhere.region,
      request: {
        capability: 'recipe',
        action: 'serverlessrepo:CreateCloudFormationTemplate',
        resource: authorArns.recipe(elsewhere),
        resourceAccount: RECIPE_PUBLISHER_ACCOUNT,
      },
    },
    ...authorArns.executionRoles(s).map((r) =>
      mine('passing the execution role to another service', 'iam:PassRole', r, s.region, {
        'iam:PassedToService': 'ec2.amazonaws.com',
      }),
    ),
    ...authorArns.functionRoles(s).map((r) =>
      mine("passing the functions' role to another service", 'iam:PassRole', r, s.region, {
        'iam:PassedToService': 'ec2.amazonaws.com',
      }),
    ),
  ];
  const outside =
    prefix !== '' ? !PROBE_FUNCTION.startsWith(prefix) : !(s.functionNames ?? []).includes(PROBE_FUNCTION);
  if (outside) {
    probes.push(
      mine(
        'a function outside the prefix',
        'lambda:CreateFunction',
        fn(s.region, s.accountId, PROBE_FUNCTION),
      ),
      mine(
        'invoking a function outside the prefix',
        'lambda:InvokeFunction',
        fn(s.region, s.accountId, PROBE_FUNCTION),
      ),
    );
  }
  if (authorArns.executionRoles(s).length > 0)
    probes.push(
      mine('passing another role to SageMaker', 'iam:PassRole', role(PROBE_ROLE), s.region, {
        'iam:PassedToService': 'sagemaker.amazonaws.com',
      }),
    );
  if (authorArns.functionRoles(s).length > 0)
    probes.push(
      mine('passing another role to Lambda', 'iam:PassRole', role(PROBE_ROLE), s.region, {
        'iam:PassedToService': 'lambda.amazonaws.com',
      }),
    );
  return probes;
}
