/**
 * The grants an author policy must never hold, whatever the scope: `iam:PassRole` on anything but exact
 * role ARNs, and `lambda:CreateFunction` / `UpdateFunctionCode` on every function (or any account or
 * region). Checked on every proposal and every version `--apply` would write.
 */
import { statementsOf } from '../policy-document';
import type { PolicyDocument } from '../types';

const PASS_ROLE = 'iam:passrole';
const FUNCTION_WRITES = ['lambda:createfunction', 'lambda:updatefunctioncode'];
const EXACT_ROLE = /^arn:[a-z-]+:iam::\d{12}:role\/(?:[^*?]*\/)?[\w+=,.@-]+$/;
// A function resource with a fixed region, account and a name that starts with a literal character.
const NAMED_FUNCTIONS = /^arn:[a-z-]+:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-][^?]*$/;

function matches(pattern: string, action: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .toLowerCase()
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return regex.test(action);
}

const list = (value: unknown): string[] =>
  value === undefined ? [] : (Array.isArray(value) ? value : [value]).map(String);

/** One line per forbidden grant in `document`; empty when it has none. */
export function wideGrants(document: PolicyDocument): string[] {
  const found: string[] = [];
  for (const s of statementsOf(document)) {
    if (s.Effect !== 'Allow') continue;
    const sid = s.Sid ? ` (${s.Sid})` : '';
    if (s.NotAction !== undefined || s.NotResource !== undefined) {
      found.push(`a NotAction or NotResource statement${sid}`);
      continue;
    }
    const actions = list(s.Action);
    const resources = list(s.Resource);
    if (actions.some((a) => matches(a, PASS_ROLE)))
      for (const r of resources.filter((r) => !EXACT_ROLE.test(r)))
        found.push(`iam:PassRole on ${r}${sid}: only exact role ARNs`);
    const writes = FUNCTION_WRITES.filter((w) => actions.some((a) => matches(a, w)));
    if (writes.length > 0)
      for (const r of resources.filter((r) => !NAMED_FUNCTIONS.test(r)))
        found.push(`${writes.join(', ')} on ${r}${sid}: only named functions or a name prefix`);
  }
  return found;
}
