/**
 * The two ways a post-annotation function reads the job's output: directly with its own role, or by
 * assuming the execution role. Under `auto` both are planned (each alone clears the finding), unless
 * the function's tag says which one its code uses.
 */
import type { Change, CoreOptions, Strategy } from './types';

/** `direct`: the function's role reads the output; `assume`: it assumes the execution role, which reads. */
export type ReadPath = 'direct' | 'assume';

/** The function tag that states how its code reads (`assume-role` or `direct`). */
export const READS_TAG = 'gt-remediator:reads';

/** Which paths to plan: the explicit strategies name one; `auto` plans both unless the tag names one. */
export function readPathsOf({
  strategy,
  tags,
}: {
  strategy: Strategy;
  tags: Record<string, string> | undefined;
}): { direct: boolean; assume: boolean } {
  if (strategy === 's3-read') return { direct: true, assume: false };
  if (strategy === 'assume-role') return { direct: false, assume: true };
  const stated = tags?.[READS_TAG];
  if (stated === 'direct') return { direct: true, assume: false };
  if (stated === 'assume-role') return { direct: false, assume: true };
  return { direct: true, assume: true };
}

/** A need as the proof sees it: which role, which kind of write, which path (none: every path needs it). */
export interface PathNeed {
  roleName: string;
  kind: 'invoke' | 'assume' | 'trust' | 's3-read' | 'kms-decrypt';
  path?: ReadPath;
}

/**
 * The changes of each reading path, with the changes every path needs: one set per path the plan
 * serves, or all changes as one set when it serves no path in particular.
 */
export function changesByPath(
  needs: readonly PathNeed[],
  changes: readonly Change[],
  options: Pick<CoreOptions, 'invokePolicyName' | 'assumePolicyName' | 'readPolicyName'>,
): Change[][] {
  const pathsOf = (change: Change): Set<ReadPath | undefined> => {
    const kind = kindOf(change, options);
    // kms:Decrypt is a statement of the read policy: that change serves it too.
    const served = needs.filter(
      (n) =>
        n.roleName === change.roleName &&
        (n.kind === kind || (kind === 's3-read' && n.kind === 'kms-decrypt')),
    );
    return new Set(served.length === 0 ? [undefined] : served.map((n) => n.path));
  };
  const tagged = changes.map((change) => ({ change, paths: pathsOf(change) }));
  const common = tagged.filter((t) => t.paths.has(undefined)).map((t) => t.change);
  const paths = [...new Set(tagged.flatMap((t) => [...t.paths]))].filter(
    (p): p is ReadPath => p !== undefined,
  );
  if (paths.length < 2) return [[...changes]];
  return paths
    .sort()
    .map((path) => [
      ...common,
      ...tagged.filter((t) => !t.paths.has(undefined) && t.paths.has(path)).map((t) => t.change),
    ]);
}

function kindOf(
  change: Change,
  options: Pick<CoreOptions, 'invokePolicyName' | 'assumePolicyName' | 'readPolicyName'>,
): PathNeed['kind'] | undefined {
  if (change.action === 'UpdateAssumeRolePolicy') return 'trust';
  if (change.policyName === options.invokePolicyName) return 'invoke';
  if (change.policyName === options.assumePolicyName) return 'assume';
  if (change.policyName === options.readPolicyName) return 's3-read';
  return undefined;
}
