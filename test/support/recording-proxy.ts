/**
 * A local HTTP proxy in front of moto that records every AWS call passing through it (service,
 * operation, parameters, region and the caller's access key, mapped to a role ARN) and answers
 * SageMaker DescribeLabelingJob from a table the test fills, since moto has no labeling jobs. The
 * deployed function runs with AWS_ENDPOINT_URL pointing here, so the record is what it really sent.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ACCOUNT } from './aws-world';

/** One AWS call as it crossed the wire. */
export interface RecordedCall {
  /** SigV4 signing name: iam, lambda, sts, ssm, sns, events, sagemaker... */
  service: string;
  /** The API operation (GetRole, GetFunctionConfiguration, PutEvents...); `UNKNOWN <method> <path>` if unrecognised. */
  operation: string;
  /** Region of the signature. */
  region: string;
  accessKeyId: string;
  /** The caller's role ARN, when its access key is known (registered, or seen in an AssumeRole answer). */
  principal?: string;
  /** Query-protocol fields, JSON body fields, or REST path parameters. */
  params: Record<string, unknown>;
  /** HTTP status of the answer. */
  status: number;
}

/** The proxy: its endpoint, what it recorded, and the labeling jobs it describes. */
export interface RecordingProxy {
  endpoint: string;
  calls: RecordedCall[];
  /** Names the role behind an access key (the function's own credentials). */
  registerPrincipal: (accessKeyId: string, roleArn: string) => void;
  /** Makes a job exist for DescribeLabelingJob calls from `accountId`/`region` (Date values go out as epoch seconds). */
  putLabelingJob: (accountId: string, region: string, job: Record<string, unknown>) => void;
  close: () => Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => done(Buffer.concat(chunks)));
    req.on('error', fail);
  });
}

/** Credential scope of a SigV4 Authorization header: access key, region, service. */
function scopeOf(authorization: string | undefined): {
  accessKeyId: string;
  region: string;
  service: string;
} {
  const match = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization ?? '');
  return { accessKeyId: match?.[1] ?? '', region: match?.[2] ?? '', service: match?.[3] ?? '' };
}

/** Lambda's REST routes the remediator can take, as operation and path parameters. */
const LAMBDA_ROUTES: { method: string; pattern: RegExp; operation: string; names: string[] }[] = [
  {
    method: 'GET',
    pattern: /^\/2015-03-31\/functions\/([^/]+)\/configuration$/,
    operation: 'GetFunctionConfiguration',
    names: ['FunctionName'],
  },
  {
    method: 'GET',
    pattern: /^\/2015-03-31\/functions\/([^/]+)\/policy$/,
    operation: 'GetPolicy',
    names: ['FunctionName'],
  },
  {
    method: 'GET',
    pattern: /^\/2015-03-31\/functions\/([^/]+)$/,
    operation: 'GetFunction',
    names: ['FunctionName'],
  },
  { method: 'GET', pattern: /^\/2017-03-31\/tags\/([^/]+)$/, operation: 'ListTags', names: ['Resource'] },
];

function operationOf(
  method: string,
  url: URL,
  headers: IncomingMessage['headers'],
  body: string,
): { operation: string; params: Record<string, unknown> } {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') {
    const params = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    return { operation: target.slice(target.indexOf('.') + 1), params };
  }
  const type = headers['content-type'] ?? '';
  if (method === 'POST' && type.startsWith('application/x-www-form-urlencoded')) {
    const params = Object.fromEntries(new URLSearchParams(body));
    return { operation: String(params.Action ?? 'UNKNOWN'), params };
  }
  // S3 in path style (the emulator's endpoint is an IP address): GET /<bucket>?policy is GetBucketPolicy.
  if (method === 'GET' && url.searchParams.has('policy')) {
    return {
      operation: 'GetBucketPolicy',
      params: { Bucket: decodeURIComponent(url.pathname.split('/')[1] ?? '') },
    };
  }
  for (const route of LAMBDA_ROUTES) {
    const match = route.method === method ? route.pattern.exec(url.pathname) : null;
    if (match) {
      const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
      route.names.forEach((name, i) => (params[name] = decodeURIComponent(match[i + 1] ?? '')));
      return { operation: route.operation, params };
    }
  }
  // S3, path-style (the SDK's choice on an emulator endpoint): GET /<bucket>?list-type=2 is ListObjectsV2.
  const bucket = /^\/([^/]+)\/?$/.exec(url.pathname);
  if (method === 'GET' && bucket && url.searchParams.get('list-type') === '2') {
    return {
      operation: 'ListObjectsV2',
      params: { ...Object.fromEntries(url.searchParams), Bucket: decodeURIComponent(bucket[1] ?? '') },
    };
  }
  return { operation: `UNKNOWN ${method} ${url.pathname}`, params: {} };
}

/** JSON with Date values as epoch seconds, as the awsJson1_1 protocol sends timestamps. */
function wireJson(value: Record<string, unknown>): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : v;
  });
}

/** Starts the proxy on a free loopback port, forwarding to `motoEndpoint`. */
export async function startRecordingProxy(
  motoEndpoint: string = process.env.AWS_ENDPOINT_URL ?? '',
): Promise<RecordingProxy> {
  const upstream = new URL(motoEndpoint);
  const calls: RecordedCall[] = [];
  const principals = new Map<string, string>();
  const jobs = new Map<string, Record<string, unknown>>();

  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://proxy');
      const scope = scopeOf(req.headers.authorization);
      const { operation, params } = operationOf(req.method ?? 'GET', url, req.headers, body.toString('utf8'));
      const principal = principals.get(scope.accessKeyId);
      const call: RecordedCall = {
        service: scope.service,
        operation,
        region: scope.region,
        accessKeyId: scope.accessKeyId,
        ...(principal ? { principal } : {}),
        params,
        status: 0,
      };
      calls.push(call);

      if (scope.service === 'sagemaker' && operation === 'DescribeLabelingJob') {
        const account = principal?.split(':')[4] ?? ACCOUNT;
        const job = jobs.get(`${account}/${scope.region}/${String(params.LabelingJobName)}`);
        call.status = job ? 200 : 400;
        const answer = job
          ? wireJson(job)
          : JSON.stringify({ __type: 'ResourceNotFound', Message: 'Requested resource not found' });
        res.writeHead(call.status, {
          'content-type': 'application/x-amz-json-1.1',
          ...(job ? {} : { 'x-amzn-errortype': 'ResourceNotFound' }),
        });
        res.end(answer);
        return;
      }

      const forwarded = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          void readBody(answer).then((answerBody) => {
            call.status = answer.statusCode ?? 0;
            if (operation === 'AssumeRole' && call.status === 200) {
              // The session's keys belong to the assumed role: later calls with them are that role's.
              const key = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(answerBody.toString('utf8'))?.[1];
              if (key && typeof params.RoleArn === 'string') principals.set(key, params.RoleArn);
            }
            const headers = { ...answer.headers };
            delete headers['transfer-encoding'];
            headers['content-length'] = String(answerBody.length);
            res.writeHead(call.status, headers);
            res.end(answerBody);
          });
        },
      );
      forwarded.on('error', (error) => {
        call.status = 502;
        res.writeHead(502);
        res.end(String(error));
      });
      forwarded.end(body);
    })();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    registerPrincipal: (accessKeyId, roleArn) => principals.set(accessKeyId, roleArn),
    putLabelingJob: (accountId, region, job) =>
      jobs.set(`${accountId}/${region}/${String(job.LabelingJobName)}`, job),
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
