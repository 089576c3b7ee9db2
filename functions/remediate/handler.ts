/** Lambda entry point (placeholder until the live-remediation issue lands). */
import { runSimulation } from '@cloud-copilot/iam-simulate';

/** Proves the bundled evaluator and its data files load: evaluates one tiny allow policy. */
export async function selfTest(): Promise<boolean> {
  const result = await runSimulation(
    {
      request: {
        principal: 'arn:aws:iam::111122223333:role/self-test',
        action: 'lambda:InvokeFunction',
        resource: { resource: 'arn:aws:lambda:us-east-1:111122223333:function:self-test', accountId: '111122223333' },
        contextVariables: {},
      },
      identityPolicies: [
        {
          name: 'self-test',
          policy: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: 'arn:aws:lambda:*:*:function:self-test' }],
          },
        },
      ],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  return result.resultType !== 'error' && result.overallResult === 'Allowed';
}

export const handler = async (): Promise<void> => {
  if (!(await selfTest())) throw new Error('evaluator self-test failed');
};
