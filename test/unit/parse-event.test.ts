/** parseLabelingJobInput: CloudTrail events and DescribeLabelingJob responses into a LabelingJobRequest. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLabelingJobInput, type LabelingJobRequest, type ParseResult } from '../../shared/core';
import {
  ACCOUNT,
  createLabelingJobEvent,
  describeLabelingJobResponse,
  functionArn,
  OUTPUT,
  REGION,
  roleArn,
  type JsonObject,
  exampleRequest,
} from '../fixtures/factory';

const EXEC = roleArn('ReceiptsLabelingExecution', '/service-role/');
const PRE = functionArn('receipts-pre-annotation');
const POST = functionArn('receipts-consolidate');

const FULL_REQUEST: LabelingJobRequest = exampleRequest();

/** The result without where it came from (asserted on its own below). */
function withoutOrigin(result: ParseResult): unknown {
  if (result.kind !== 'request' && result.kind !== 'incomplete') return result;
  return Object.fromEntries(Object.entries(result).filter(([key]) => key !== 'origin'));
}

/** The event with `requestParameters` fields replaced (a `null` value removes the field). */
function eventWithParameters(parameters: JsonObject): JsonObject {
  const event = createLabelingJobEvent({ pre: 'receipts-pre-annotation', post: 'receipts-consolidate' });
  const detail = event.detail as JsonObject;
  const merged: JsonObject = { ...(detail.requestParameters as JsonObject), ...parameters };
  for (const [key, value] of Object.entries(parameters)) if (value === null) delete merged[key];
  return { ...event, detail: { ...detail, requestParameters: merged } };
}

describe('parseLabelingJobInput', () => {
  describe('with a CloudTrail CreateLabelingJob event', () => {
    it('reads the job, role, both functions and output location', () => {
      // Given the event EventBridge delivers for a successful CreateLabelingJob call
      const event = createLabelingJobEvent({ pre: 'receipts-pre-annotation', post: 'receipts-consolidate' });

      // When it is parsed
      const result = parseLabelingJobInput(event);

      // Then every field of the request comes from the event
      expect(withoutOrigin(result)).toEqual({ kind: 'request', request: FULL_REQUEST });
    });

    it('reads the example event shipped in examples/', () => {
      // Given the example event of the repository
      const example: unknown = JSON.parse(
        readFileSync(join(__dirname, '../../examples/events/create-labeling-job.json'), 'utf8'),
      );

      // When it is parsed
      const result = parseLabelingJobInput(example);

      // Then it names the example's job, functions and input manifest
      expect(withoutOrigin(result)).toEqual({
        kind: 'request',
        request: {
          ...FULL_REQUEST,
          inputManifestS3Uri: 's3://receipts-labeling-data/manifests/batch-7.manifest',
        },
      });
    });

    it('accepts a job without pre- or post-annotation function (both are optional)', () => {
      // Given an event whose humanTaskConfig names no function
      const event = createLabelingJobEvent({ pre: null, post: null });

      // When it is parsed
      const result = parseLabelingJobInput(event);

      // Then the request has no function fields at all
      expect(withoutOrigin(result)).toEqual({
        kind: 'request',
        request: {
          jobName: 'receipts-7',
          accountId: ACCOUNT,
          region: REGION,
          executionRoleArn: EXEC,
          outputS3Uri: OUTPUT,
        },
      });
    });

    it('accepts qualified function ARNs (alias, version, $LATEST) as they are', () => {
      // Given functions named by alias and by version
      const event = createLabelingJobEvent({
        pre: 'receipts-pre-annotation:prod',
        post: 'receipts-consolidate:$LATEST',
      });

      // When it is parsed
      const result = parseLabelingJobInput(event);

      // Then the qualifiers are kept
      expect(result).toMatchObject({
        kind: 'request',
        request: { preAnnotationLambdaArn: `${PRE}:prod`, postAnnotationLambdaArn: `${POST}:$LATEST` },
      });
    });

    it('falls back to the CloudTrail record for account and region, and to the job ARN for the name', () => {
      // Given an event without top-level account/region and without requestParameters.labelingJobName
      const event = eventWithParameters({ labelingJobName: null });
      delete event.account;
      delete event.region;

      // When it is parsed
      const result = parseLabelingJobInput(event);

      // Then recipientAccountId, awsRegion and responseElements.labelingJobArn supply them
      expect(withoutOrigin(result)).toEqual({ kind: 'request', request: FULL_REQUEST });
    });

    it('ignores a call that failed (errorCode): no job was created', () => {
      // Given the event of a CreateLabelingJob call that AWS rejected
      const event = createLabelingJobEvent(
        {},
        { detail: { errorCode: 'ValidationException', errorMessage: 'Role is not valid' } },
      );

      // When it is parsed
      const result = parseLabelingJobInput(event);

      // Then it is ignored, with the error in the reason
      expect(withoutOrigin(result)).toEqual({
        kind: 'ignored',
        reason:
          'the CreateLabelingJob call failed (ValidationException: Role is not valid); no job was created',
      });
    });

    it.each([
      ['roleArn', { roleArn: null }, ['roleArn']],
      ['the output location', { outputConfig: null }, ['outputConfig.s3OutputPath']],
      ['both', { roleArn: null, outputConfig: {} }, ['roleArn', 'outputConfig.s3OutputPath']],
    ])('reports a job to look up when %s is missing', (_what, parameters: JsonObject, missing) => {
      // Given an event whose request parameters lack fields (CloudTrail may omit them)
      const event = eventWithParameters(parameters);

      // When it is parsed
      const result = parseLabelingJobInput(event);

      // Then the caller learns which job to describe and what was missing
      expect(withoutOrigin(result)).toEqual({
        kind: 'incomplete',
        jobName: 'receipts-7',
        accountId: ACCOUNT,
        region: REGION,
        missing,
      });
    });

    it('reports a job to look up when requestParameters is null', () => {
      // Given an event whose request parameters CloudTrail left out entirely
      const event = createLabelingJobEvent({}, { detail: { requestParameters: null } });

      // When it is parsed
      const result = parseLabelingJobInput(event);

      // Then the job name comes from the response and everything else is to be described
      expect(withoutOrigin(result)).toEqual({
        kind: 'incomplete',
        jobName: 'receipts-7',
        accountId: ACCOUNT,
        region: REGION,
        missing: ['roleArn', 'outputConfig.s3OutputPath'],
      });
    });

    it.each<[string, JsonObject, RegExp]>([
      [
        'another API call',
        createLabelingJobEvent({}, { detail: { eventName: 'CreateTrainingJob' } }),
        /CreateTrainingJob, not sagemaker.amazonaws.com CreateLabelingJob/,
      ],
      [
        'another service',
        createLabelingJobEvent({}, { detail: { eventSource: 'iam.amazonaws.com' } }),
        /iam\.amazonaws\.com CreateLabelingJob, not/,
      ],
      [
        'another detail-type',
        createLabelingJobEvent({}, { top: { 'detail-type': 'SageMaker Labeling Job State Change' } }),
        /not a CloudTrail API-call event: detail-type/,
      ],
      [
        'a malformed role ARN',
        eventWithParameters({ roleArn: 'arn:aws:iam::111122223333:user/alice' }),
        /roleArn is not an IAM role ARN: "arn:aws:iam::111122223333:user\/alice"/,
      ],
      [
        'a role ARN without account',
        eventWithParameters({ roleArn: 'arn:aws:iam:::role/Exec' }),
        /roleArn is not an IAM role ARN/,
      ],
      [
        'a malformed pre-annotation ARN',
        eventWithParameters({
          humanTaskConfig: { preHumanTaskLambdaArn: 'arn:aws:lambda:us-east-1:111122223333:receipts-pre' },
        }),
        /preHumanTaskLambdaArn is not a Lambda function ARN/,
      ],
      [
        'a malformed post-annotation ARN',
        eventWithParameters({
          humanTaskConfig: {
            annotationConsolidationConfig: { annotationConsolidationLambdaArn: 'receipts-consolidate' },
          },
        }),
        /annotationConsolidationLambdaArn is not a Lambda function ARN: "receipts-consolidate"/,
      ],
      [
        'an output that is not an s3:// URI',
        eventWithParameters({
          outputConfig: { s3OutputPath: 'https://receipts-labeling-data.s3.amazonaws.com/output/' },
        }),
        /s3OutputPath is not an s3:\/\/ URI/,
      ],
      [
        'a malformed job name',
        eventWithParameters({ labelingJobName: 'receipts_7!' }),
        /labeling job name is malformed: "receipts_7!"/,
      ],
      ['no 12-digit account', createLabelingJobEvent({ account: '1234' }), /no 12-digit account/],
      ['no valid region', createLabelingJobEvent({ region: 'mars' }), /no valid region/],
      [
        'a detail that is not an object',
        {
          'detail-type': 'AWS API Call via CloudTrail',
          source: 'aws.sagemaker',
          detail: 'CreateLabelingJob',
        },
        /not a CloudTrail API-call event: detail/,
      ],
    ])('rejects an event with %s', (_what, event, reason) => {
      // Given an event that is not a usable CreateLabelingJob record
      // When it is parsed
      const result = parseLabelingJobInput(event);

      // Then it is invalid, and the reason says why
      expect(result.kind).toBe('invalid');
      expect(result.kind === 'invalid' ? result.reason : '').toMatch(reason);
    });
  });

  describe('with a DescribeLabelingJob response', () => {
    it('reads the PascalCase fields, and account and region from the job ARN', () => {
      // Given a DescribeLabelingJob response
      const response = describeLabelingJobResponse({
        pre: 'receipts-pre-annotation',
        post: 'receipts-consolidate',
      });

      // When it is parsed
      const result = parseLabelingJobInput(response);

      // Then it yields the same request as the event, with SageMaker's creation time
      expect(withoutOrigin(result)).toEqual({
        kind: 'request',
        request: { ...FULL_REQUEST, creationTime: '2026-11-29T10:15:00.000Z' },
      });
    });

    it('accepts a response without functions', () => {
      // Given a built-in-less job description without HumanTaskConfig functions
      const response = describeLabelingJobResponse({ pre: null, post: null, region: 'eu-west-1' });

      // When it is parsed
      const result = parseLabelingJobInput(response);

      // Then the request has no function fields, and the region of the job ARN
      expect(withoutOrigin(result)).toEqual({
        kind: 'request',
        request: {
          jobName: 'receipts-7',
          accountId: ACCOUNT,
          region: 'eu-west-1',
          executionRoleArn: EXEC,
          outputS3Uri: OUTPUT,
          creationTime: '2026-11-29T10:15:00.000Z',
        },
      });
    });

    it.each<[string, JsonObject, RegExp]>([
      [
        'no RoleArn',
        describeLabelingJobResponse({ roleArn: null }),
        /not a DescribeLabelingJob response: RoleArn/,
      ],
      [
        'no OutputConfig',
        describeLabelingJobResponse({ output: null }),
        /not a DescribeLabelingJob response: OutputConfig/,
      ],
      [
        'a malformed LabelingJobArn',
        describeLabelingJobResponse(
          {},
          { LabelingJobArn: 'arn:aws:sagemaker:us-east-1:111122223333:training-job/receipts-7' },
        ),
        /LabelingJobArn is malformed/,
      ],
      [
        'a malformed RoleArn',
        describeLabelingJobResponse({ roleArn: 'ReceiptsLabelingExecution' }),
        /roleArn is not an IAM role ARN: "ReceiptsLabelingExecution"/,
      ],
    ])('rejects a response with %s', (_what, response, reason) => {
      // Given a response that lacks or garbles a field the core needs
      // When it is parsed
      const result = parseLabelingJobInput(response);

      // Then it is invalid, and the reason names the field
      expect(result.kind).toBe('invalid');
      expect(result.kind === 'invalid' ? result.reason : '').toMatch(reason);
    });
  });

  describe('with something else', () => {
    it.each<[string, unknown]>([
      ['null', null],
      ['an array', [createLabelingJobEvent()]],
      ['a string', 'CreateLabelingJob'],
      ['a number', 42],
      ['undefined', undefined],
    ])('rejects %s as not a JSON object', (_what, input) => {
      // Given input that is not an object
      // When it is parsed
      const result = parseLabelingJobInput(input);

      // Then it is invalid without throwing
      expect(result).toEqual({ kind: 'invalid', reason: 'input is not a JSON object' });
    });

    it('rejects an object that is neither an event nor a job description', () => {
      // Given an unrelated JSON object
      // When it is parsed
      const result = parseLabelingJobInput({ TrainingJobName: 'x' });

      // Then it is invalid and the reason names both accepted shapes
      expect(result).toMatchObject({
        kind: 'invalid',
        reason: expect.stringMatching(
          /not a CloudTrail event or record, a DescribeLabelingJob response or a CreateLabelingJob request/,
        ) as unknown,
      });
    });
  });
});

describe('where a request came from', () => {
  it('an event says who created the job, when, and which ARN SageMaker answered with', () => {
    const result = parseLabelingJobInput(
      createLabelingJobEvent({ pre: 'receipts-pre-annotation', post: 'receipts-consolidate' }),
    );
    expect(result.kind === 'request' ? result.origin : undefined).toEqual({
      source: 'cloudtrail',
      eventTime: '2026-11-29T10:15:00Z',
      createdBy: `arn:aws:sts::${ACCOUNT}:assumed-role/MLPlatformEngineer/alice`,
      labelingJobArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:labeling-job/receipts-7`,
    });
  });

  it("a DescribeLabelingJob response carries SageMaker's ARN, status and creation time (a Date from the SDK)", () => {
    const result = parseLabelingJobInput({
      ...describeLabelingJobResponse({ pre: 'receipts-pre-annotation', post: 'receipts-consolidate' }),
      LabelingJobStatus: 'InProgress',
      CreationTime: new Date('2026-11-29T10:14:00Z'),
    });
    expect(result.kind === 'request' ? result.origin : undefined).toEqual({
      source: 'describe',
      labelingJobArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:labeling-job/receipts-7`,
      status: 'InProgress',
      creationTime: '2026-11-29T10:14:00.000Z',
    });
  });
});

describe('the inputs people have', () => {
  const event = (): JsonObject =>
    createLabelingJobEvent({ pre: 'receipts-pre-annotation', post: 'receipts-consolidate' });
  const record = (): JsonObject => event().detail as JsonObject;
  const requestOf = (r: ParseResult) => (r.kind === 'request' ? r.request : r);

  it('reads a raw CloudTrail record (from trail logs)', () => {
    expect(requestOf(parseLabelingJobInput(record()))).toEqual(FULL_REQUEST);
  });

  it('reads a trail log file, picking the CreateLabelingJob record', () => {
    const other = { ...record(), eventName: 'DescribeLabelingJob' };
    expect(requestOf(parseLabelingJobInput({ Records: [other, record()] }))).toEqual(FULL_REQUEST);
  });

  it('refuses a trail log file with several CreateLabelingJob records, naming them', () => {
    const result = parseLabelingJobInput({ Records: [record(), record()] });
    expect(result).toEqual({
      kind: 'invalid',
      reason:
        'trail log file (Records) holds 2 CreateLabelingJob records (receipts-7, receipts-7): save the one to check in a file of its own',
    });
  });

  it('reads aws cloudtrail lookup-events output (the record is a JSON string)', () => {
    const output = {
      Events: [
        { EventName: 'CreateLabelingJob', CloudTrailEvent: JSON.stringify(record()) },
        {
          EventName: 'ListLabelingJobs',
          CloudTrailEvent: JSON.stringify({ ...record(), eventName: 'ListLabelingJobs' }),
        },
      ],
    };
    const result = parseLabelingJobInput(output);
    expect(requestOf(result)).toEqual(FULL_REQUEST);
    expect(result.kind === 'request' ? result.origin.source : undefined).toBe('cloudtrail');
  });

  it('reads a CreateLabelingJob request (--cli-input-json), before the job exists', () => {
    const create = {
      LabelingJobName: 'receipts-7',
      RoleArn: EXEC,
      LabelAttributeName: 'label',
      InputConfig: {
        DataSource: { S3DataSource: { ManifestS3Uri: 's3://receipts-labeling-data/manifest' } },
      },
      OutputConfig: { S3OutputPath: OUTPUT, KmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd' },
      HumanTaskConfig: {
        PreHumanTaskLambdaArn: PRE,
        AnnotationConsolidationConfig: { AnnotationConsolidationLambdaArn: POST },
      },
    };
    const result = parseLabelingJobInput(create);
    expect(result).toEqual({
      kind: 'request',
      request: {
        ...FULL_REQUEST,
        inputManifestS3Uri: 's3://receipts-labeling-data/manifest',
        outputKmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd',
      },
      origin: { source: 'create-request' },
    });
  });

  it('asks for --region when a CreateLabelingJob request names no function', () => {
    const create = { LabelingJobName: 'receipts-7', RoleArn: EXEC, OutputConfig: { S3OutputPath: OUTPUT } };
    expect(parseLabelingJobInput(create)).toEqual({
      kind: 'invalid',
      reason: 'the CreateLabelingJob request does not say its region (no function ARN): add --region',
    });
    expect(requestOf(parseLabelingJobInput(create, { region: REGION }))).toMatchObject({ region: REGION });
  });

  it('accepts a legacy us-east-1 bucket name with capitals and underscores', () => {
    const result = parseLabelingJobInput(
      eventWithParameters({ outputConfig: { s3OutputPath: 's3://Legacy_Bucket/out/' } }),
    );
    expect(result.kind).toBe('request');
  });
});
