/** The dry-run parameter's AllowedPattern and readDryRun agree: true/false in any case, nothing else. */
import type { SSMClient } from '@aws-sdk/client-ssm';
import { DRY_RUN_VALUE_PATTERN, readDryRun } from '../../shared/aws/ssm';

/** An SSM client whose parameter holds `value`. */
function ssmWith(value: string): SSMClient {
  return { send: () => Promise.resolve({ Parameter: { Value: value } }) } as unknown as SSMClient;
}

describe('DRY_RUN_VALUE_PATTERN', () => {
  const pattern = new RegExp(DRY_RUN_VALUE_PATTERN);

  it.each([
    ['true', true],
    ['TRUE', true],
    ['True', true],
    ['false', false],
    ['FALSE', false],
    ['fAlSe', false],
  ])('admits %j, which readDryRun reads as dry-run %s without a note', async (value, dryRun) => {
    expect(pattern.test(value)).toBe(true);
    expect(await readDryRun(ssmWith(value), '/p')).toEqual({ dryRun });
  });

  it.each([['yes'], ['no'], ['1'], [''], ['truefalse'], ['tru'], [' true']])(
    'refuses %j, which readDryRun would read as dry-run with a note',
    async (value) => {
      expect(pattern.test(value)).toBe(false);
      const setting = await readDryRun(ssmWith(value), '/p');
      if (value.trim().toLowerCase() !== 'true') {
        expect(setting.dryRun).toBe(true);
        expect(typeof setting.reason).toBe('string');
      }
    },
  );
});
