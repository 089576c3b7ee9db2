/** How adapters treat AWS errors: "not found" becomes undefined, everything else is rethrown. */

/** True for the SDK's not-found errors of IAM, Lambda, SSM and SageMaker. */
export function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return (
    name === 'NoSuchEntityException' ||
    name === 'NoSuchEntity' ||
    name === 'ResourceNotFoundException' ||
    name === 'ResourceNotFound' ||
    name === 'ParameterNotFound'
  );
}

/** Runs `call`; a not-found error becomes undefined, any other error propagates. */
export async function orUndefined<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** An AWS call failed for a reason other than "not found"; carries the SDK error as `cause`. */
export class AwsCallError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AwsCallError';
  }
}

/** A short description of an SDK error for reports: its name and message. */
export function describeError(error: unknown): string {
  if (error instanceof Error)
    return error.name === 'Error' ? error.message : `${error.name}: ${error.message}`;
  return String(error);
}
