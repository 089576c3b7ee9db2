/** Jest globalTeardown for the integration project: stops the moto server that globalSetup started. */
import { stopMotoServer } from './moto-global-setup';

/** Stop moto server (no-op when GT_MOTO_ENDPOINT pointed at an external one). */
export default async function globalTeardown(): Promise<void> {
  await stopMotoServer();
}
