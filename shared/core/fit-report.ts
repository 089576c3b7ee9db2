/**
 * Reports must fit what carries them: SNS takes a message of at most 256 KiB (body and attributes)
 * and EventBridge a PutEvents entry under 256 KiB. Event fields are the job creator's choice (a
 * 200 KB `userIdentity.arn` is accepted by CloudTrail's shape), so a report is cut to fit, never
 * rejected: long texts first, then findings beyond some number, then statements; `truncated` says
 * what was cut. What `undo` needs (each change's added ARNs and document hashes) is kept longest.
 */
import type { Report, ReportedChange } from './types';

/** The SNS message and the EventBridge entry limit, in bytes. */
export const DELIVERY_LIMIT_BYTES = 256 * 1024;

/** EventBridge counts `Time` as 14 bytes when given; the entry must be under the limit, not at it. */
const EVENT_TIME_BYTES = 14;

/** How long a text field may stay when fields are cut: an IAM or Lambda ARN is at most 2,048 characters. */
const FIELD_LIMITS = [2_048, 256, 64] as const;

/** How many paths of cut fields the marker names. */
const PATHS_NAMED = 5;

/** UTF-8 length of a string, in bytes (what SNS and EventBridge count). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Bytes of the report's JSON (the result event's detail, the CLI's `--json` without indentation). */
export function reportBytes(report: Report): number {
  return utf8Length(JSON.stringify(report));
}

/**
 * The report, or a cut copy whose JSON takes at most `maxBytes` bytes, with `truncated` saying what
 * was cut. A report that fits is returned as it is.
 */
export function fitReport(report: Report, maxBytes: number): Report {
  if (reportBytes(report) <= maxBytes) return report;
  for (const limit of FIELD_LIMITS) {
    const cut = [...(report.truncated ?? [])];
    let current = capFields(report, limit, cut);
    const fits = (r: Report, marks: string[]): Report | undefined => {
      const marked = { ...r, truncated: marks };
      return reportBytes(marked) <= maxBytes ? marked : undefined;
    };
    const capped = fits(current, cut);
    if (capped) return capped;
    // Findings in order, as many as fit; the rest are counted.
    const total = current.findings.length;
    const kept = largestFitting(total, (k) =>
      fits(withFindings(current, k), [...cut, findingsMark(k, total)]),
    );
    if (kept) return kept;
    current = withFindings(current, 0);
    cut.push(findingsMark(0, total));
    const notes = current.notes?.length ?? 0;
    if (notes > 0) {
      current = { ...current, notes: [] };
      cut.push(`all ${notes} notes cut`);
      const noNotes = fits(current, cut);
      if (noNotes) return noNotes;
    }
    // Statements last: the added ARNs and the hashes say what changed, and are what undo needs.
    for (const key of ['manualChanges', 'changes'] as const) {
      const list = current[key];
      if (!list || list.length === 0) continue;
      current = { ...current, [key]: list.map(withoutStatements) };
      cut.push(`the statements of ${key} cut (added ARNs and hashes kept)`);
      const lighter = fits(current, cut);
      if (lighter) return lighter;
    }
  }
  // Nothing smaller says anything true: the outcome and what was cut.
  return {
    job: null,
    outcome: report.outcome,
    dryRun: report.dryRun,
    findings: [],
    changes: [],
    truncated: [`the report (${reportBytes(report)} bytes) was cut to its outcome to fit ${maxBytes} bytes`],
  };
}

/**
 * The result event's Detail for the report: its JSON, cut so that the PutEvents entry (source,
 * detail-type, time and detail) stays under the limit.
 */
export function resultEventDetail(
  report: Report,
  source: string,
  detailType: string,
  limit = DELIVERY_LIMIT_BYTES,
): string {
  const room = limit - 1 - EVENT_TIME_BYTES - utf8Length(source) - utf8Length(detailType);
  return JSON.stringify(fitReport(report, room));
}

/** `text` cut to at most `maxBytes` UTF-8 bytes, ending with `marker` when anything was cut. */
export function cutText(text: string, maxBytes: number, marker: string): string {
  if (utf8Length(text) <= maxBytes) return text;
  const room = maxBytes - utf8Length(marker);
  let lo = 0;
  let hi = Math.min(text.length, Math.max(0, room));
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (utf8Length(text.slice(0, mid)) <= room) lo = mid;
    else hi = mid - 1;
  }
  return `${text.slice(0, safeEnd(text, lo))}${marker}`;
}

/** The largest k in [0, n] for which `attempt(k)` fits (attempts fit for all k up to some bound), or undefined. */
function largestFitting(n: number, attempt: (k: number) => Report | undefined): Report | undefined {
  let best = attempt(0);
  if (!best) return undefined;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const got = attempt(mid);
    if (got) {
      best = got;
      lo = mid;
    } else hi = mid - 1;
  }
  return best;
}

function withFindings(report: Report, k: number): Report {
  return k >= report.findings.length ? report : { ...report, findings: report.findings.slice(0, k) };
}

function findingsMark(kept: number, total: number): string {
  return `findings beyond the first ${kept} of ${total} cut`;
}

function withoutStatements(change: ReportedChange): ReportedChange {
  return { ...change, statements: [] };
}

/** Every free text of the report (job, creator, findings, notes) cut to `limit` characters; `cut` names them. */
function capFields(report: Report, limit: number, cut: string[]): Report {
  const paths: string[] = [];
  const cap = (value: string, path: string): string => {
    if (value.length <= limit) return value;
    paths.push(path);
    return `${value.slice(0, safeEnd(value, limit))}… [${value.length - limit} characters cut]`;
  };
  const capOrNull = (value: string | null, path: string): string | null =>
    value === null ? null : cap(value, path);
  const { job } = report;
  const capped: Report = {
    ...report,
    job: job && {
      name: cap(job.name, 'job.name'),
      account: cap(job.account, 'job.account'),
      region: cap(job.region, 'job.region'),
      executionRoleArn: cap(job.executionRoleArn, 'job.executionRoleArn'),
      preAnnotationLambdaArn: capOrNull(job.preAnnotationLambdaArn, 'job.preAnnotationLambdaArn'),
      postAnnotationLambdaArn: capOrNull(job.postAnnotationLambdaArn, 'job.postAnnotationLambdaArn'),
      outputS3Uri: cap(job.outputS3Uri, 'job.outputS3Uri'),
    },
    ...(report.createdBy !== undefined ? { createdBy: cap(report.createdBy, 'createdBy') } : {}),
    findings: report.findings.map((f, i) => ({
      ...f,
      principal: cap(f.principal, `findings[${i}].principal`),
      resource: cap(f.resource, `findings[${i}].resource`),
      ...(f.detail !== undefined ? { detail: cap(f.detail, `findings[${i}].detail`) } : {}),
    })),
    ...(report.notes ? { notes: report.notes.map((n, i) => cap(n, `notes[${i}]`)) } : {}),
  };
  if (paths.length > 0) {
    const more = paths.length > PATHS_NAMED ? ` and ${paths.length - PATHS_NAMED} more` : '';
    cut.push(`texts longer than ${limit} characters cut: ${paths.slice(0, PATHS_NAMED).join(', ')}${more}`);
  }
  return capped;
}

/** `end`, or one less when it would split a surrogate pair. */
function safeEnd(text: string, end: number): number {
  const c = text.charCodeAt(end - 1);
  return end > 0 && c >= 0xd800 && c <= 0xdbff ? end - 1 : end;
}
