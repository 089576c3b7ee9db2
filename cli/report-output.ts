/** Printing reports as SARIF or CSV: the CLI's side of shared/core/report-sarif.ts and report-csv.ts. */
import type { Report } from '../shared/core';
import { renderCsv } from '../shared/core/report-csv';
import { findingSetOfReport, type FindingSet } from '../shared/core/report-export';
import { renderSarif } from '../shared/core/report-sarif';
import type { OutputFormat } from './options';
import { packageVersion } from './version';

/** The finding sets as SARIF or CSV. */
export function renderExport(format: 'sarif' | 'csv', sets: readonly FindingSet[]): string {
  return format === 'sarif' ? renderSarif(sets, { toolVersion: packageVersion() }) : renderCsv(sets);
}

/** One job report in a machine format (json, sarif, csv). */
export function renderMachine(report: Report, format: Exclude<OutputFormat, 'text'>): string {
  return format === 'json'
    ? `${JSON.stringify(report, null, 2)}\n`
    : renderExport(format, [findingSetOfReport(report)]);
}
