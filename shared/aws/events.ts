/** EventBridge adapter: the report as a result event, for audit and downstream automation. */
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { resultEventDetail, type Report } from '../core';

/** The result event's source and detail-type. */
export const RESULT_EVENT = {
  source: 'gt-permissions-remediator',
  detailType: 'Labeling Job Permissions Checked',
} as const;

/** Puts one result event whose detail is the report; throws when EventBridge rejects the entry. */
export async function putResultEvent(
  client: EventBridgeClient,
  eventBusName: string,
  report: Report,
): Promise<void> {
  const got = await client.send(
    new PutEventsCommand({
      Entries: [
        {
          Source: RESULT_EVENT.source,
          DetailType: RESULT_EVENT.detailType,
          // Cut to fit the 256 KiB entry limit; `truncated` in the detail says what was cut.
          Detail: resultEventDetail(report, RESULT_EVENT.source, RESULT_EVENT.detailType),
          EventBusName: eventBusName,
        },
      ],
    }),
  );
  if ((got.FailedEntryCount ?? 0) > 0) {
    const entry = got.Entries?.[0];
    throw new Error(
      `PutEvents rejected the result event: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim(),
    );
  }
}
