/** Reading the CLI's input files: one clear error per problem, never a stack trace. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inventoryFromSnapshot, resourcePoliciesFromSnapshot, type AccountInventory } from '../shared/core';

/** Bad input or usage: the CLI prints the message on one line and exits 2. */
export class InputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InputError';
  }
}

/** Reads and parses a JSON file, or throws an InputError naming the file. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new InputError(
      `cannot read ${path}${code === 'ENOENT' ? ': no such file' : code ? ` (${code})` : ''}`,
      { cause },
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    // V8 quotes the start of the text, line breaks included: keep the message on one line.
    throw new InputError(`${path} is not valid JSON: ${(cause as Error).message.replace(/\s*\n\s*/g, ' ')}`, {
      cause,
    });
  }
}

/**
 * Loads `iam.json` and `lambda.json` from a snapshot directory into an inventory, with the resource
 * policies of `lambda-policies.json`, `bucket-policies.json` and `kms-key-policies.json` (each
 * optional: a policy not in them is reported "not seen").
 */
export function loadSnapshot(dir: string): AccountInventory {
  const iam = readJsonFile(join(dir, 'iam.json'));
  const lambda = readJsonFile(join(dir, 'lambda.json'));
  const optional = (name: string): unknown =>
    existsSync(join(dir, name)) ? readJsonFile(join(dir, name)) : undefined;
  const policies = [
    optional('lambda-policies.json'),
    optional('bucket-policies.json'),
    optional('kms-key-policies.json'),
  ] as const;
  try {
    return {
      ...inventoryFromSnapshot(iam, lambda),
      resourcePolicies: resourcePoliciesFromSnapshot(...policies),
    };
  } catch (cause) {
    throw new InputError(`snapshot ${dir}: ${(cause as Error).message}`, { cause });
  }
}
