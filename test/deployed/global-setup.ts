/**
 * Jest globalSetup of the deployed project: reuses the moto server the integration project's
 * globalSetup already started in this jest run, or starts one (the integration teardown, or ours,
 * stops it).
 */
import motoGlobalSetup from '../support/moto-global-setup';

/** Starts moto unless this jest process already runs one. */
export default async function globalSetup(): Promise<void> {
  const running = globalThis.__GT_MOTO_SERVER__;
  if (running && running.exitCode === null && running.signalCode === null && process.env.AWS_ENDPOINT_URL)
    return;
  await motoGlobalSetup();
}
