/** `npx cdk synth -c key=bad`: the app prints one line naming the key and exits 2, no stack trace. */
import { execFile } from 'node:child_process';
import * as path from 'path';
import { REPO_ROOT } from './stack-fixture';

/** Runs cdk/app.ts as the CDK CLI does: context in CDK_CONTEXT_JSON, output to a temp folder. */
function runApp(context: Record<string, string>): Promise<{ status: number | null; stderr: string }> {
  const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
  return new Promise((resolve) => {
    execFile(
      tsx,
      [path.join(REPO_ROOT, 'cdk', 'app.ts')],
      { cwd: REPO_ROOT, env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context) } },
      (error, _stdout, stderr) => {
        resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stderr });
      },
    );
  });
}

describe('cdk/app.ts with a bad context value', () => {
  it.each([
    [
      { strategy: 'bogus' },
      /^gt-permissions-remediator: context strategy must be "auto", "assume-role" or "s3-read", got "bogus"$/,
    ],
    [{ notifyCompliant: 'yes' }, /^gt-permissions-remediator: context notifyCompliant must be true or false/],
    [{ emailOutcomes: 'remediated,sent' }, /^gt-permissions-remediator: context emailOutcomes: "sent"/],
    [{ organization: 'acme' }, /^gt-permissions-remediator: context organization is not an organization ID/],
    [
      { accounts: '1234,111111111111' },
      /^gt-permissions-remediator: context accounts: "1234" is not a 12-digit/,
    ],
    [
      { organization: 'o-a1b2c3d4e5', homeRegion: 'Frankfurt' },
      /^gt-permissions-remediator: context homeRegion is not a region name: "Frankfurt"$/,
    ],
    [
      { protectedRoles: 'BreakGlass,role/Admin' },
      /^gt-permissions-remediator: context protectedRoles: "role\/Admin" is neither a role name/,
    ],
    [
      { homeRegion: 'eu-west-1' },
      /^gt-permissions-remediator: context homeRegion needs organization or accounts$/,
    ],
  ])(
    '%j: one stderr line naming the key, exit 2',
    async (context, message) => {
      // Given a bad -c value
      // When the app runs
      const { status, stderr } = await runApp(context);

      // Then it exits 2 with exactly one line and no stack frames
      expect(status).toBe(2);
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(stderr.trimEnd()).toMatch(message);
    },
    60_000,
  );
});
