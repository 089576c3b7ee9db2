/**
 * CSV for spreadsheets: one row per finding (a subject without findings gets one row with its outcome),
 * RFC 4180 quoting by csv-stringify. Job names, ARNs and details are chosen by the job's creator, so
 * cells that a spreadsheet would run as a formula (= + - @, tab, CR) are prefixed with a quote.
 */
import { stringify } from 'csv-stringify/sync';
import type { FindingSet } from './report-export';
import { safeStrings } from './safe-text';

/** The columns, in order. */
export const CSV_COLUMNS = [
  'account',
  'region',
  'job',
  'code',
  'severity',
  'principal',
  'resource',
  'outcome',
  'fixable',
  'reason',
  'detail',
] as const;

type Row = Record<(typeof CSV_COLUMNS)[number], string>;

function rowsOf(set: FindingSet): Row[] {
  const base = { account: set.account, region: set.region, job: set.job, outcome: set.outcome };
  if (set.findings.length === 0)
    return [
      {
        ...base,
        code: '',
        severity: '',
        principal: '',
        resource: '',
        fixable: '',
        reason: '',
        detail: (set.notes ?? []).join('; '),
      },
    ];
  return set.findings.map((f) => ({
    ...base,
    code: f.code,
    severity: f.severity,
    principal: f.principal,
    resource: f.resource,
    fixable: f.fixable ? 'true' : 'false',
    reason: f.reason,
    detail: f.detail ?? '',
  }));
}

/** The header line, then one row per finding; control characters are shown escaped, as in the text report. */
export function renderCsv(sets: readonly FindingSet[]): string {
  return stringify(
    sets.flatMap((set) => rowsOf(safeStrings(set))),
    {
      header: true,
      columns: [...CSV_COLUMNS],
      escape_formulas: true,
      record_delimiter: 'windows',
    },
  );
}
