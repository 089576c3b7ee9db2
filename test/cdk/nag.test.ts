import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { buildStack } from './stack-fixture';

interface Finding {
  id: string;
  path: string;
}

/** Runs the AwsSolutions pack over the app and lists what it reports. */
function nagFindings(app: IConstruct): Finding[] {
  const report = new AwsSolutionsChecks(app).validateScope(app);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => ({
      id: violation.ruleName,
      path: resource.constructPath ?? resource.resourceLogicalId ?? '',
    })),
  );
}

interface Acknowledged {
  id: string;
  reason: string;
  path: string;
}

/** Every acknowledgment recorded on the construct tree (metadata `{ "Annotation::<id>": reason }`), with its place. */
function acknowledgments(root: IConstruct): Acknowledged[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([key, reason]) => ({
          id: key.replace(/^annotation::/i, ''),
          reason,
          path: construct.node.path,
        })),
      ),
  );
}

const configurations: Record<string, Record<string, string>> = {
  defaults: {},
  'scoped roles, tag, email, all outcomes': {
    managedRolePatterns: 'arn:aws:iam::123456789012:role/labeling-*,arn:aws:iam::123456789012:role/exact',
    managedRoleTag: 'gt-remediate=yes',
    notificationEmail: 'ops@example.com',
    emailOutcomes: 'all',
  },
  'with trail': { createTrail: 'true' },
};

describe('cdk-nag AwsSolutions checks', () => {
  describe.each(Object.entries(configurations))('%s', (_name, context) => {
    it('leaves no finding unacknowledged', () => {
      const { app } = buildStack({ context });
      expect(nagFindings(app)).toEqual([]);
    });

    it('acknowledges exactly the findings that occur, each where it occurs, each with a reason', () => {
      const { app: bare } = buildStack({ context, acknowledge: false });
      const occurring = nagFindings(bare)
        .map((f) => f.id)
        .sort();
      const { app } = buildStack({ context });
      const acknowledged = acknowledgments(app);
      expect(acknowledged.map((a) => a.id).sort()).toEqual(occurring);
      for (const ack of acknowledged) {
        expect(ack.reason.length).toBeGreaterThan(40);
        expect(ack.path).not.toBe('GtPermissionsRemediator');
      }
    });
  });

  it('fails the synthesis when a finding is not acknowledged', () => {
    const { app } = buildStack({ acknowledge: false });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth({ force: true })).toThrow(/AwsSolutions-L1/);
  });
});
