'use strict';
/**
 * Bench helper: starts moto server (the same way test/integration/moto-global-setup.ts does) and
 * seeds IAM + Lambda with roles (two managed and one inline policy each) and functions.
 */
const { spawn, spawnSync } = require('node:child_process');
const { createServer } = require('node:net');
const path = require('node:path');
const fs = require('node:fs');

const ROOT = path.resolve(__dirname, '..');
const ACCOUNT = '123456789012'; // moto's default account
const REGION = 'us-east-1';

/** Starts moto on a free loopback port, exports AWS_ENDPOINT_URL and fake credentials; returns stop(). */
async function startMoto() {
  const venv = spawnSync('bash', [path.join(ROOT, 'scripts', 'ensure-venv.sh')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (venv.status !== 0) throw new Error('scripts/ensure-venv.sh failed');
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const log = fs.openSync(path.join(ROOT, '.venv', 'moto-bench.log'), 'w');
  const child = spawn(
    path.join(ROOT, '.venv', 'bin', 'moto_server'),
    ['-H', '127.0.0.1', '-p', String(port)],
    {
      env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' },
      stdio: ['ignore', log, log],
    },
  );
  fs.closeSync(log);
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error('moto server exited during startup (see .venv/moto-bench.log)');
    try {
      await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`moto did not answer on ${endpoint}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: 'testing',
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  return {
    endpoint,
    reset: async () => {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
    },
    stop: async () => {
      process.removeListener('exit', kill);
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(kill, 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

const roleArn = (name) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const functionArn = (name) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
const trust = (service) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  });
const allow = (action, resource) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: action, Resource: resource }],
  });

/** A one-file zip (stored) for CreateFunction, built with python3's zipfile to stay dependency-free. */
function tinyZip() {
  const out = spawnSync('python3', [
    '-c',
    [
      'import io,sys,zipfile',
      'b=io.BytesIO()',
      'z=zipfile.ZipFile(b,"w")',
      'z.writestr("index.js","exports.handler=async()=>({ok:true})")',
      'z.close()',
      'sys.stdout.buffer.write(b.getvalue())',
    ].join('\n'),
  ]);
  if (out.status !== 0) throw new Error(`python3 zip failed: ${out.stderr}`);
  return new Uint8Array(out.stdout);
}

/**
 * Seeds `execRoles` execution roles (AmazonSageMakerGroundTruthExecution + a customer policy granting
 * the output bucket + one inline policy) and one function role (AWSLambdaBasicExecutionRole + a
 * customer policy + one inline policy) shared by `functions`.
 */
async function seedAccount({ execRoles, functions, bucket }) {
  const {
    IAMClient,
    CreateRoleCommand,
    CreatePolicyCommand,
    AttachRolePolicyCommand,
    PutRolePolicyCommand,
  } = require('@aws-sdk/client-iam');
  const { LambdaClient, CreateFunctionCommand } = require('@aws-sdk/client-lambda');
  const iam = new IAMClient({ region: REGION });
  const lambda = new LambdaClient({ region: REGION });
  const data = `arn:aws:iam::${ACCOUNT}:policy/BenchLabelingData`;
  const tracing = `arn:aws:iam::${ACCOUNT}:policy/BenchFunctionTracing`;
  await iam.send(
    new CreatePolicyCommand({
      PolicyName: 'BenchLabelingData',
      PolicyDocument: allow(['s3:GetObject', 's3:PutObject'], `arn:aws:s3:::${bucket}/*`),
    }),
  );
  await iam.send(
    new CreatePolicyCommand({
      PolicyName: 'BenchFunctionTracing',
      PolicyDocument: allow('xray:PutTraceSegments', '*'),
    }),
  );
  const roles = [
    ...execRoles.map((name) => ({
      name,
      service: 'sagemaker.amazonaws.com',
      managed: ['arn:aws:iam::aws:policy/AmazonSageMakerGroundTruthExecution', data],
    })),
    {
      name: 'bench-fn-role',
      service: 'lambda.amazonaws.com',
      managed: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole', tracing],
    },
  ];
  for (const role of roles) {
    await iam.send(
      new CreateRoleCommand({ RoleName: role.name, AssumeRolePolicyDocument: trust(role.service) }),
    );
    for (const arn of role.managed)
      await iam.send(new AttachRolePolicyCommand({ RoleName: role.name, PolicyArn: arn }));
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: role.name,
        PolicyName: 'Logs',
        PolicyDocument: allow('logs:PutLogEvents', '*'),
      }),
    );
  }
  const zip = tinyZip();
  for (const name of functions) {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Role: roleArn('bench-fn-role'),
        Code: { ZipFile: zip },
      }),
    );
  }
  iam.destroy();
  lambda.destroy();
  return { roles: roles.map((r) => r.name) };
}

module.exports = { startMoto, seedAccount, roleArn, functionArn, ACCOUNT, REGION };
