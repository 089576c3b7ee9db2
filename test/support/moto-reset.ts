/** Test helper: wipe all state in the moto server that globalSetup started (or GT_MOTO_ENDPOINT). */

/**
 * Reset every moto backend to empty. Verified with moto 5.2.5: the server rebuilds each backend
 * from scratch and, because MOTO_IAM_LOAD_MANAGED_POLICIES=true is in the server's environment,
 * reloads the AWS managed policies (with new PolicyIds), so they survive a reset. Costs ~1 s: the
 * reset itself plus the next IAM call, which reloads the ~1,600 managed policies.
 */
export async function resetMoto(): Promise<void> {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (!endpoint) throw new Error('AWS_ENDPOINT_URL is not set: is the integration globalSetup running?');
  const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status} ${await response.text()}`);
}
