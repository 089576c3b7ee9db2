/** The report email's filter policy, evaluated against the attributes the function really publishes. */
import type { Template } from 'aws-cdk-lib/assertions';
import { buildNotification, buildReport, type Outcome, type Report } from '../../shared/core';
import { buildStack } from './stack-fixture';

const OUTCOMES: Outcome[] = ['compliant', 'remediated', 'proposed', 'blocked', 'error'];

type FilterPolicy = Record<string, unknown[]>;

/** SNS filter semantics for the case the stack uses: every key must match one of its exact strings. */
function matches(policy: FilterPolicy | undefined, attributes: Record<string, string>): boolean {
  if (!policy) return true;
  return Object.entries(policy).every(
    ([key, allowed]) => key in attributes && allowed.some((a) => a === attributes[key]),
  );
}

/** The FilterPolicy of the email subscription on the report topic (undefined: no filter). */
function reportFilter(template: Template): FilterPolicy | undefined {
  const subscriptions = Object.values(
    template.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'email' } }),
  ) as { Properties: { TopicArn: { Ref: string }; FilterPolicy?: FilterPolicy } }[];
  const topics = template.findResources('AWS::SNS::Topic');
  const reportTopicId = Object.keys(topics).find((id) => id.includes('ReportTopic'));
  const report = subscriptions.find((s) => s.Properties.TopicArn.Ref === reportTopicId);
  if (!report) throw new Error('no email subscription on the report topic');
  return report.Properties.FilterPolicy;
}

/** The attributes of the SNS message the function publishes for a report with `outcome`. */
function attributesFor(outcome: Outcome): Record<string, string> {
  const base = buildReport(
    {
      jobName: 'receipts-7',
      accountId: '111122223333',
      region: 'us-east-1',
      executionRoleArn: 'arn:aws:iam::111122223333:role/Exec',
      outputS3Uri: 's3://bucket/out/',
    },
    [],
    [],
    { dryRun: outcome !== 'remediated' },
  );
  const report: Report = { ...base, outcome };
  return { ...buildNotification(report, '/GtPermissionsRemediator/dry-run').attributes };
}

/** Outcomes whose message the deployed email subscription lets through. */
function mailed(context: Record<string, unknown> = {}): Outcome[] {
  const filter = reportFilter(buildStack({ context }).template);
  return OUTCOMES.filter((outcome) => matches(filter, attributesFor(outcome)));
}

describe('report email filter', () => {
  it('mails remediated, proposed, blocked and error reports by default, not compliant ones', () => {
    // Given the default stack
    // When the function publishes one report of each outcome
    // Then the email subscription receives every outcome but compliant
    expect(mailed()).toEqual(['remediated', 'proposed', 'blocked', 'error']);
  });

  it('adds compliant reports with notifyCompliant=true', () => {
    expect(mailed({ notifyCompliant: 'true' })).toEqual(OUTCOMES);
  });

  it('takes emailOutcomes as written, notifyCompliant or not', () => {
    expect(mailed({ emailOutcomes: 'blocked,error', notifyCompliant: 'true' })).toEqual(['blocked', 'error']);
    expect(mailed({ emailOutcomes: 'all' })).toEqual(OUTCOMES);
  });

  it('uses a matcher that rejects what SNS rejects', () => {
    // Guards the matcher itself: a missing attribute or another value does not match.
    expect(matches({ outcome: ['remediated'] }, { outcome: 'remediated' })).toBe(true);
    expect(matches({ outcome: ['remediated'] }, { outcome: 'proposed' })).toBe(false);
    expect(matches({ outcome: ['remediated'] }, {})).toBe(false);
  });
});
