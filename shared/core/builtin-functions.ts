/** AWS-owned pre- and post-annotation functions of built-in task types, which need no grant. */
import { parseLambdaArn } from './arn';

/** The AWS account that owns the built-in Ground Truth functions in each region (SageMaker API reference, HumanTaskConfig). */
export const BUILTIN_FUNCTION_ACCOUNTS: Readonly<Record<string, string>> = {
  'us-east-1': '432418664414',
  'us-east-2': '266458841044',
  'us-west-2': '081040173940',
  'ca-central-1': '918755190332',
  'eu-west-1': '568282634449',
  'eu-west-2': '487402164563',
  'eu-central-1': '203001061592',
  'ap-northeast-1': '477331159723',
  'ap-northeast-2': '845288260483',
  'ap-south-1': '565803892007',
  'ap-southeast-1': '377565633583',
  'ap-southeast-2': '454466003867',
};

/**
 * True for `arn:<partition>:lambda:<region>:<aws-owned account of that region>:function:PRE-*|ACS-*`; with
 * `jobRegion`, only when the function is in the job's region (another region's built-in is foreign).
 */
export function isBuiltinFunction(arn: string, jobRegion?: string): boolean {
  const parsed = parseLambdaArn(arn);
  if (!parsed || (jobRegion !== undefined && parsed.region !== jobRegion)) return false;
  // The accounts above are the commercial partition's; elsewhere we do not know them, so nothing is built in.
  if (parsed.partition !== 'aws') return false;
  return (
    BUILTIN_FUNCTION_ACCOUNTS[parsed.region] === parsed.accountId && /^(PRE|ACS)-/.test(parsed.functionName)
  );
}
