/** The per-context factories: each builds the flow's four interfaces from what its context really has. */
import { createClients, type AwsClients } from '../../shared/aws/clients';
import { DEFAULT_CORE_OPTIONS } from '../../shared/core';
import { cliFlow, lambdaFlow } from '../../shared/flow-context';
import { accountPorts } from '../../shared/flow-ports';
import { silentLogger } from '../../shared/logger';

const config = {
  core: DEFAULT_CORE_OPTIONS,
  eventBusName: 'results',
  notifyCompliant: false,
  topicArn: 'arn:aws:sns:us-east-1:123456789012:reports',
};

describe('lambdaFlow', () => {
  const clients = createClients({ region: 'us-east-1' });

  it('serves the home account only, in any region, when there is no member-role factory', async () => {
    const flow = lambdaFlow({ clients, config, logger: silentLogger() });
    const home = await flow.accountFor('123456789012', 'us-east-1');
    expect(home).toBeDefined();
    expect(await flow.accountFor('123456789012', 'eu-west-1')).toBe(home);
    expect(flow.reports).toBeDefined();
  });

  it('asks the member-role factory for other accounts, one reader per client set, and refuses what it refuses', async () => {
    const member = createClients({ region: 'eu-west-1' });
    const asked: string[] = [];
    const flow = lambdaFlow({
      clients,
      config,
      logger: silentLogger(),
      clientsFor: (accountId, region): Promise<AwsClients | undefined> => {
        asked.push(`${accountId}/${region}`);
        return Promise.resolve(accountId === '111111111111' ? member : undefined);
      },
    });
    const first = await flow.accountFor('111111111111', 'eu-west-1');
    expect(first).toBeDefined();
    expect(await flow.accountFor('111111111111', 'eu-west-1')).toBe(first);
    expect(await flow.accountFor('999999999999', 'eu-west-1')).toBeUndefined();
    expect(asked).toEqual(['111111111111/eu-west-1', '111111111111/eu-west-1', '999999999999/eu-west-1']);
  });

  it('makes the served organisation known context, keeping explicit values', () => {
    const flow = lambdaFlow({
      clients,
      config: {
        ...config,
        organizationId: 'o-a1b2c3d4e5',
        core: { ...DEFAULT_CORE_OPTIONS, knownContext: {} },
      },
      logger: silentLogger(),
    });
    expect(flow.core.knownContext).toEqual({ 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' });
    expect(lambdaFlow({ clients, config, logger: silentLogger() }).core).toBe(DEFAULT_CORE_OPTIONS);
  });

  it('without a dry-run parameter stays in dry-run and says why', async () => {
    const flow = lambdaFlow({ clients, config, logger: silentLogger() });
    expect(await flow.dryRun.read()).toEqual({
      dryRun: true,
      reason: 'no dry-run parameter is configured: dry-run is on',
    });
  });
});

describe('cliFlow', () => {
  it('has no report sink and a fixed dry-run choice', async () => {
    const ports = accountPorts(createClients({ region: 'us-east-1' }));
    const check = cliFlow(ports, { core: DEFAULT_CORE_OPTIONS, dryRun: true, logger: silentLogger() });
    const fix = cliFlow(ports, { core: DEFAULT_CORE_OPTIONS, dryRun: false, logger: silentLogger() });
    expect(check.reports).toBeUndefined();
    expect(await check.dryRun.read()).toEqual({ dryRun: true });
    expect(await fix.dryRun.read()).toEqual({ dryRun: false });
    expect(await check.accountFor('123456789012', 'us-east-1')).toBe(ports);
  });
});
