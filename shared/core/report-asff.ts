/**
 * AWS Security Finding Format records for Security Hub's BatchImportFindings: one per finding, with a
 * stable Id per job and finding (a re-check updates the record, it does not add one), the role and the
 * function as resources, the fix as the remediation, and Workflow RESOLVED once remediated.
 */
import { createHash } from 'node:crypto';
import { partitionOfRegion } from './arn';
import { EXPLAIN, REASON } from './render';
import { fixText, labelingJobArn } from './report-export';
import type { Finding, Report } from './types';

/** The ASFF fields we write (structurally an `AwsSecurityFinding` of the SDK; the core imports no SDK). */
export interface AsffFinding {
  SchemaVersion: '2018-10-08';
  Id: string;
  ProductArn: string;
  GeneratorId: string;
  AwsAccountId: string;
  Region: string;
  Types: string[];
  CreatedAt: string;
  UpdatedAt: string;
  Severity: { Label: 'HIGH' | 'MEDIUM' | 'LOW' };
  Title: string;
  Description: string;
  Remediation: { Recommendation: { Text: string } };
  Resources: { Type: string; Id: string; Region: string }[];
  Workflow: { Status: 'NEW' | 'RESOLVED' };
  RecordState: 'ACTIVE';
  ProductFields: Record<string, string>;
}

export const ASFF_TYPE = 'Software and Configuration Checks/AWS Security Best Practices';

/** The account's own "default" product, which any account may import findings into. */
export function defaultProductArn(account: string, region: string): string {
  return `arn:${partitionOfRegion(region)}:securityhub:${region}:${account}:product/${account}/default`;
}

const clip = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;

function resourceType(arn: string): string {
  if (/^arn:[^:]+:iam::\d*:role\//.test(arn)) return 'AwsIamRole';
  if (/^arn:[^:]+:lambda:/.test(arn)) return 'AwsLambdaFunction';
  if (/^arn:[^:]+:s3:::/.test(arn)) return 'AwsS3Bucket';
  return 'Other';
}

/** The job's findings as ASFF records; none when the event could not be read (no account to file them in). */
export function buildAsffFindings(report: Report, options: { now: Date }): AsffFinding[] {
  const { job } = report;
  if (!job) return [];
  const jobArn = labelingJobArn(job);
  const at = options.now.toISOString();
  return report.findings.map((f: Finding) => {
    const key = createHash('sha256')
      .update(`${f.code}\n${f.principal}\n${f.resource}`)
      .digest('hex')
      .slice(0, 32);
    const resources = [...new Set([f.principal, f.resource].filter(Boolean))];
    return {
      SchemaVersion: '2018-10-08',
      Id: `${jobArn}/${f.code}/${key}`,
      ProductArn: defaultProductArn(job.account, job.region),
      GeneratorId: `gt-permissions-remediator/${f.code}`,
      AwsAccountId: job.account,
      Region: job.region,
      Types: [ASFF_TYPE],
      CreatedAt: at,
      UpdatedAt: at,
      Severity: { Label: f.severity === 'high' ? 'HIGH' : f.severity === 'medium' ? 'MEDIUM' : 'LOW' },
      Title: clip(`${f.code}: labeling job ${job.name}`, 256),
      Description: clip(
        `${EXPLAIN[f.code](f)}. Reason: ${f.reason} (${REASON[f.reason]}).${f.detail ? ` Detail: ${f.detail}.` : ''}`,
        1024,
      ),
      Remediation: { Recommendation: { Text: clip(fixText(f), 512) } },
      Resources: (resources.length > 0 ? resources : [jobArn]).map((id) => ({
        Type: resourceType(id),
        Id: id,
        Region: job.region,
      })),
      Workflow: { Status: report.outcome === 'remediated' && f.fixable ? 'RESOLVED' : 'NEW' },
      RecordState: 'ACTIVE',
      ProductFields: { labelingJobArn: jobArn, outcome: report.outcome, reason: f.reason },
    };
  });
}
