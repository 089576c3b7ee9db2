#!/usr/bin/env node
'use strict';
/**
 * `npm run bench [-- --json]`: measures the Lambda asset, cold start, AWS calls per event, handler
 * time, a 500-job scan and the offline check core. Prints one JSON object on stdout (after a table
 * unless --json); progress goes to stderr. IAM and Lambda run on a moto server the bench starts;
 * SageMaker (not in moto) is mocked with aws-sdk-client-mock. See docs/performance.md.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { buildAsset, measureBytes, zippedBytes, measureInit, median, round } = require('./bench-asset');
const { startMoto, seedAccount, roleArn, functionArn, ACCOUNT, REGION } = require('./bench-moto');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const json = process.argv.includes('--json');
const log = (msg) => process.stderr.write(`bench: ${msg}\n`);

const INIT_RUNS = 11;
const HANDLER_RUNS = 20;
const SCAN_JOBS = 500;
const SCAN_EXEC_ROLES = 9; // + the functions' role = 10 roles
const CHECK_ROLES = 1000;
const CHECK_JOBS = 200;

async function main() {
  ensureBuilt();
  const started = Date.now();
  const result = { machine: machine() };

  const asset = buildAsset(log);
  const bytes = measureBytes(asset.dir);
  Object.assign(result, {
    assetSource: asset.source,
    bundleBytes: bytes.total,
    bundleZippedBytes: zippedBytes(asset.dir, asset.tmp),
    bundleParts: bytes.parts,
  });
  log(`cold starts (${INIT_RUNS} runs each) ...`);
  Object.assign(result, measureInit(asset.entry, INIT_RUNS));
  fs.rmSync(asset.tmp, { recursive: true, force: true });

  log('checkJob on a 1,000-role snapshot ...');
  Object.assign(result, await benchCheck());

  log('starting moto ...');
  const moto = await startMoto();
  try {
    Object.assign(result, await benchHandler(moto));
    Object.assign(result, await benchScan(moto));
  } finally {
    await moto.stop();
  }
  result.benchSeconds = round((Date.now() - started) / 1000);

  if (!json) process.stdout.write(`${table(result)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, json ? 0 : 2)}\n`);
}

/** Runs `npm run build` when a TypeScript source is newer than the compiled files the bench loads. */
function ensureBuilt() {
  const outputs = [
    'functions/remediate/handler.js',
    'shared/scan.js',
    'shared/aws/clients.js',
    'shared/core/index.js',
  ].map((f) => path.join(DIST, f));
  const newestSource = Math.max(
    ...['cli', 'functions', 'shared']
      .flatMap((d) => tsFiles(path.join(ROOT, d)))
      .map((f) => fs.statSync(f).mtimeMs),
  );
  const missing = outputs.some((f) => !fs.existsSync(f));
  if (!missing && Math.min(...outputs.map((f) => fs.statSync(f).mtimeMs)) >= newestSource) return;
  log('dist/ is stale: npm run build ...');
  const build = spawnSync('npm', ['run', 'build', '--silent'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // tsc still emits on type errors; carry on if the files are there (another change may be half-done).
  if (build.status !== 0) {
    if (outputs.some((f) => !fs.existsSync(f)))
      throw new Error('npm run build failed and dist/ is incomplete');
    log('warning: npm run build reported errors; benchmarking the emitted dist/ anyway');
  }
}

function tsFiles(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? tsFiles(path.join(dir, e.name))
        : e.name.endsWith('.ts')
          ? [path.join(dir, e.name)]
          : [],
    );
}

/** Requires a dist module with a fresh copy of dist/ (module-level caches such as policy versions start empty). */
function freshDist(rel) {
  for (const key of Object.keys(require.cache))
    if (key.startsWith(DIST + path.sep)) delete require.cache[key];
  return require(path.join(DIST, rel));
}

function machine() {
  return {
    nproc: os.availableParallelism ? os.availableParallelism() : os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

/** The offline core: one inventory of 1,000 roles, checkJob per job (warm evaluator). */
async function benchCheck() {
  const core = freshDist('shared/core/index.js');
  const doc = (statements) => ({ Version: '2012-10-17', Statement: statements });
  const gt = 'arn:aws:iam::aws:policy/AmazonSageMakerGroundTruthExecution';
  const data = `arn:aws:iam::${ACCOUNT}:policy/BenchLabelingData`;
  const roles = Array.from({ length: CHECK_ROLES }, (_, i) => {
    const exec = i % 2 === 0;
    return {
      Path: '/',
      RoleName: `role-${i}`,
      Arn: roleArn(`role-${i}`),
      AssumeRolePolicyDocument: doc([
        {
          Effect: 'Allow',
          Principal: { Service: exec ? 'sagemaker.amazonaws.com' : 'lambda.amazonaws.com' },
          Action: 'sts:AssumeRole',
        },
      ]),
      RolePolicyList: [
        {
          PolicyName: 'Logs',
          PolicyDocument: doc([{ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: '*' }]),
        },
      ],
      AttachedManagedPolicies: [
        { PolicyName: 'AmazonSageMakerGroundTruthExecution', PolicyArn: gt },
        { PolicyName: 'BenchLabelingData', PolicyArn: data },
      ],
      Tags: [],
    };
  });
  const iamJson = {
    RoleDetailList: roles,
    Policies: [
      {
        PolicyName: 'BenchLabelingData',
        Arn: data,
        DefaultVersionId: 'v1',
        PolicyVersionList: [
          {
            VersionId: 'v1',
            IsDefaultVersion: true,
            Document: doc([
              { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::bench-data/*' },
            ]),
          },
        ],
      },
    ],
  };
  const lambdaJson = {
    Functions: Array.from({ length: CHECK_JOBS * 2 }, (_, i) => ({
      FunctionArn: functionArn(`fn-${i}`),
      Role: roleArn(`role-${(2 * i + 1) % CHECK_ROLES}`),
    })),
  };
  const loadStart = process.hrtime.bigint();
  const inventory = core.inventoryFromSnapshot(iamJson, lambdaJson);
  const snapshotLoadMs = Number(process.hrtime.bigint() - loadStart) / 1e6;
  const job = (j) => ({
    jobName: `job-${j}`,
    accountId: ACCOUNT,
    region: REGION,
    executionRoleArn: roleArn(`role-${(2 * j) % CHECK_ROLES}`),
    preAnnotationLambdaArn: functionArn(`fn-${2 * j}`),
    postAnnotationLambdaArn: functionArn(`fn-${2 * j + 1}`),
    outputS3Uri: 's3://bench-data/output/',
  });
  const options = { core: core.DEFAULT_CORE_OPTIONS, dryRun: true, now: new Date() };
  for (let j = 0; j < 5; j++) await core.checkJob(job(j), inventory, options); // warm the evaluator's data
  const outcomes = {};
  const start = process.hrtime.bigint();
  for (let j = 0; j < CHECK_JOBS; j++) {
    const report = await core.checkJob(job(j), inventory, options);
    outcomes[report.outcome] = (outcomes[report.outcome] ?? 0) + 1;
  }
  const totalMs = Number(process.hrtime.bigint() - start) / 1e6;
  return {
    checkRoles: CHECK_ROLES,
    checkJobs: CHECK_JOBS,
    checkMsPerJob: round(totalMs / CHECK_JOBS, 2),
    checkOutcomes: outcomes,
    snapshotLoadMs: round(snapshotLoadMs),
  };
}

function total(counter) {
  return [...counter.values()].reduce((a, b) => a + b, 0);
}

/** The Lambda handler on one typical event: two functions, each role with two managed and one inline policy. */
async function benchHandler(moto) {
  log('handler: seeding moto ...');
  await moto.reset();
  await seedAccount({
    execRoles: ['bench-exec'],
    functions: ['bench-pre', 'bench-post'],
    bucket: 'bench-data',
  });
  const { SNSClient, CreateTopicCommand } = require('@aws-sdk/client-sns');
  const { SSMClient, PutParameterCommand } = require('@aws-sdk/client-ssm');
  const sns = new SNSClient({ region: REGION });
  const ssm = new SSMClient({ region: REGION });
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'bench-topic' }));
  await ssm.send(
    new PutParameterCommand({ Name: '/bench/dry-run', Type: 'String', Value: 'true', Overwrite: true }),
  );
  sns.destroy();
  ssm.destroy();

  const { makeHandler } = freshDist('functions/remediate/handler.js');
  const { createClients } = require(path.join(DIST, 'shared/aws/clients.js'));
  const { silentLogger } = require(path.join(DIST, 'shared/logger.js'));
  const { DEFAULT_CORE_OPTIONS } = require(path.join(DIST, 'shared/core/index.js'));
  const counter = new Map();
  const handler = makeHandler({
    clients: createClients({ region: REGION, counter }),
    config: {
      core: DEFAULT_CORE_OPTIONS,
      topicArn: TopicArn,
      dryRunParameterName: '/bench/dry-run',
      eventBusName: 'default',
      notifyCompliant: false,
    },
    logger: silentLogger(),
  });
  const event = createLabelingJobEvent(
    'bench-job',
    roleArn('bench-exec'),
    functionArn('bench-pre'),
    functionArn('bench-post'),
  );

  const invoke = async () => {
    counter.clear();
    const start = process.hrtime.bigint();
    const result = await handler(event);
    return {
      ms: Number(process.hrtime.bigint() - start) / 1e6,
      calls: new Map(counter),
      outcome: result.report?.outcome,
    };
  };
  const cold = await invoke();
  const warm = await invoke();
  const times = [];
  for (let i = 0; i < HANDLER_RUNS; i++) times.push((await invoke()).ms);
  return {
    apiCallsPerEvent: { cold: total(cold.calls), warm: total(warm.calls) },
    apiCallsByCall: {
      cold: Object.fromEntries([...cold.calls].sort()),
      warm: Object.fromEntries([...warm.calls].sort()),
    },
    handlerOutcome: cold.outcome,
    handlerColdMs: round(cold.ms),
    handlerMsP50: round(median(times)),
    handlerRuns: HANDLER_RUNS,
  };
}

/** A 500-job scan over 10 roles (9 execution roles, 1 role shared by 4 functions); SageMaker mocked. */
async function benchScan(moto) {
  log(`scan: seeding moto (${SCAN_EXEC_ROLES + 1} roles, 4 functions, ${SCAN_JOBS} mocked jobs) ...`);
  await moto.reset();
  const execRoles = Array.from({ length: SCAN_EXEC_ROLES }, (_, k) => `bench-exec-${k}`);
  const { roles } = await seedAccount({
    execRoles,
    functions: ['bench-pre-a', 'bench-pre-b', 'bench-post-a', 'bench-post-b'],
    bucket: 'bench-data',
  });

  const { mockClient } = require('aws-sdk-client-mock');
  const {
    SageMakerClient,
    ListLabelingJobsCommand,
    DescribeLabelingJobCommand,
  } = require('@aws-sdk/client-sagemaker');
  const sagemaker = mockClient(SageMakerClient);
  const name = (i) => `bench-job-${String(i).padStart(4, '0')}`;
  sagemaker.on(ListLabelingJobsCommand).callsFake((input) => {
    const start = Number(input.NextToken ?? '0');
    const end = Math.min(start + (input.MaxResults ?? 100), SCAN_JOBS);
    return {
      LabelingJobSummaryList: Array.from({ length: end - start }, (_, j) => ({
        LabelingJobName: name(start + j),
        LabelingJobStatus: 'InProgress',
      })),
      ...(end < SCAN_JOBS ? { NextToken: String(end) } : {}),
    };
  });
  sagemaker.on(DescribeLabelingJobCommand).callsFake(({ LabelingJobName }) => {
    const i = Number(LabelingJobName.slice(-4));
    const variant = i % 2 === 0 ? 'a' : 'b';
    return {
      LabelingJobName,
      LabelingJobArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:labeling-job/${LabelingJobName}`,
      LabelingJobStatus: 'InProgress',
      RoleArn: roleArn(execRoles[i % SCAN_EXEC_ROLES]),
      HumanTaskConfig: {
        PreHumanTaskLambdaArn: functionArn(`bench-pre-${variant}`),
        AnnotationConsolidationConfig: {
          AnnotationConsolidationLambdaArn: functionArn(`bench-post-${variant}`),
        },
      },
      OutputConfig: { S3OutputPath: 's3://bench-data/output/' },
    };
  });

  try {
    const { scanJobs } = freshDist('shared/scan.js');
    const { createClients } = require(path.join(DIST, 'shared/aws/clients.js'));
    const { silentLogger } = require(path.join(DIST, 'shared/logger.js'));
    const { DEFAULT_CORE_OPTIONS } = require(path.join(DIST, 'shared/core/index.js'));
    const counter = new Map();
    const deps = {
      // The CLI's settings (cli/scan-command.ts): adaptive retry, default concurrency.
      clients: createClients({ region: REGION, counter, retryMode: 'adaptive', maxAttempts: 8 }),
      config: { core: DEFAULT_CORE_OPTIONS, eventBusName: 'default', notifyCompliant: false },
      logger: silentLogger(),
      dryRunOverride: true,
      deliver: false,
    };
    const start = process.hrtime.bigint();
    const entries = await scanJobs(deps);
    const scanMs = Number(process.hrtime.bigint() - start) / 1e6;
    const outcomes = {};
    for (const e of entries) {
      const key = 'report' in e ? e.report.outcome : 'problem';
      outcomes[key] = (outcomes[key] ?? 0) + 1;
    }
    const sageMakerCalls =
      sagemaker.commandCalls(ListLabelingJobsCommand).length +
      sagemaker.commandCalls(DescribeLabelingJobCommand).length;
    return {
      scanJobs: entries.length,
      scanRoles: roles.length,
      scanFunctions: 4,
      scanApiCalls: total(counter),
      scanApiCallsByCall: Object.fromEntries([...counter].sort()),
      scanSageMakerCalls: sageMakerCalls,
      scanMs: round(scanMs),
      scanOutcomes: outcomes,
    };
  } finally {
    sagemaker.restore();
  }
}

/** An EventBridge "AWS API Call via CloudTrail" CreateLabelingJob event (examples/events shape). */
function createLabelingJobEvent(jobName, executionRoleArn, pre, post) {
  return {
    version: '0',
    id: 'bench-event',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.sagemaker',
    account: ACCOUNT,
    time: new Date().toISOString(),
    region: REGION,
    resources: [],
    detail: {
      eventVersion: '1.08',
      eventSource: 'sagemaker.amazonaws.com',
      eventName: 'CreateLabelingJob',
      awsRegion: REGION,
      recipientAccountId: ACCOUNT,
      requestParameters: {
        labelingJobName: jobName,
        roleArn: executionRoleArn,
        outputConfig: { s3OutputPath: 's3://bench-data/output/' },
        humanTaskConfig: {
          preHumanTaskLambdaArn: pre,
          annotationConsolidationConfig: { annotationConsolidationLambdaArn: post },
        },
      },
      responseElements: { labelingJobArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:labeling-job/${jobName}` },
    },
  };
}

function table(r) {
  const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
  const rows = [
    [
      'machine',
      `${r.machine.nproc} CPU (${r.machine.cpu}), ${r.machine.memoryGiB} GiB, node ${r.machine.node}`,
    ],
    ['asset', r.assetSource],
    [
      'bundleBytes',
      `${r.bundleBytes} (${kb(r.bundleBytes)}: code ${kb(r.bundleParts.code)}, map ${kb(r.bundleParts.sourceMap)}, data ${kb(r.bundleParts.data)})`,
    ],
    ['bundleZippedBytes', `${r.bundleZippedBytes} (${kb(r.bundleZippedBytes)})`],
    [
      'initMs / bareNodeMs',
      `${r.initMs} / ${r.bareNodeMs} ms (median of ${r.runs}; handler load ≈ ${round(r.initMs - r.bareNodeMs)} ms)`,
    ],
    [
      'apiCallsPerEvent',
      `cold ${r.apiCallsPerEvent.cold}, warm ${r.apiCallsPerEvent.warm} (outcome ${r.handlerOutcome})`,
    ],
    ['handlerMsP50', `${r.handlerMsP50} ms warm (first call ${r.handlerColdMs} ms)`],
    [
      'scan',
      `${r.scanJobs} jobs, ${r.scanRoles} roles: ${r.scanApiCalls} IAM+Lambda calls (+${r.scanSageMakerCalls} SageMaker, mocked) in ${r.scanMs} ms`,
    ],
    [
      'checkMsPerJob',
      `${r.checkMsPerJob} ms (${r.checkJobs} jobs, ${r.checkRoles}-role snapshot loaded in ${r.snapshotLoadMs} ms)`,
    ],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}

main().catch((error) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
