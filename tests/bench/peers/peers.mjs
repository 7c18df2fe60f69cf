// SPDX-License-Identifier: BSL-1.0
//
// The Node peers of the webhooks benchmarks: times the providers' own npm libraries over the payloads and signed
// headers that webhooks_bench_pipeline wrote (same secrets, same bytes), and prints JSON on stdout:
//
//   {"node": "v20.x", "results": [{"kind", "size", "us_per_op", "iterations", "reps": [us, ...]}, ...]}
//
//   node peers.mjs <cases.json> [--min-time S] [--max-iterations N] [--repetitions R] [--warmup S]
//
// Run from the npm prefix the packages are installed in (run.sh copies this script there), so that the bare
// imports below resolve to the pinned versions of package.json.
//
// Each case is warmed up first (the JIT compiles the hot paths), then timed R times; each repetition runs until
// it has taken --min-time seconds or --max-iterations calls, whichever comes first. The result is the median of
// the repetitions. Every call must succeed (a failed verification is an error, not a fast path).
//
// Kinds, and what each library is given (as a server would hand it over):
//   octokit.verifyAndReceive  @octokit/webhooks: verifyAndReceive({id, name, payload: string, signature}) with one
//                             handler registered by webhooks.on("push", …); awaited (it is async).
//   octokit-methods.verify    @octokit/webhooks-methods: verify(secret, payload: string, signature); awaited.
//   standardwebhooks.verify   standardwebhooks: new Webhook(secret).verify(payload: string, headers) (parses JSON).
//   svix.verify               svix: new Webhook(secret).verify(payload: string, headers) (parses JSON).
//   stripe.constructEvent     stripe: stripe.webhooks.constructEvent(payload: Buffer, header, secret), the raw body
//                             as Stripe's docs ask (express.raw) (verifies, then parses JSON).

import fs from 'node:fs';
import path from 'node:path';
import { Buffer } from 'node:buffer';

import { Webhooks } from '@octokit/webhooks';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import Stripe from 'stripe';

function options(argv) {
  const o = { minTime: 0.5, maxIterations: 200000, repetitions: 3, warmup: 0.3 };
  const names = { '--min-time': 'minTime', '--max-iterations': 'maxIterations', '--repetitions': 'repetitions',
                  '--warmup': 'warmup' };
  const rest = [];
  for (let i = 0; i < argv.length; ++i) {
    const [flag, inline] = argv[i].split('=', 2);
    if (names[flag]) {
      const value = inline ?? argv[++i];
      o[names[flag]] = Number(value);
      if (!Number.isFinite(o[names[flag]]) || o[names[flag]] <= 0) throw new Error(`bad value for ${flag}: ${value}`);
    } else {
      rest.push(argv[i]);
    }
  }
  if (rest.length !== 1) throw new Error('usage: node peers.mjs <cases.json> [--min-time S] [--max-iterations N] ' +
                                         '[--repetitions R] [--warmup S]');
  o.cases = rest[0];
  return o;
}

const now = () => Number(process.hrtime.bigint()) / 1e9;

// Runs op (sync or async) until minTime seconds or maxIterations calls; @return seconds per call.
async function timed(op, isAsync, minTime, maxIterations) {
  let n = 0;
  const start = now();
  let elapsed = 0;
  // Batches, so the clock is read rarely.
  let batch = 16;
  while (elapsed < minTime && n < maxIterations) {
    const count = Math.min(batch, maxIterations - n);
    if (isAsync) for (let i = 0; i < count; ++i) await op();
    else for (let i = 0; i < count; ++i) op();
    n += count;
    elapsed = now() - start;
    if (batch < 4096) batch *= 2;
  }
  return { perOp: elapsed / n, iterations: n };
}

function median(values) {
  const v = [...values].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

// @return [op, isAsync, check] for one case; check() runs after timing and throws when something went wrong.
function prepare(c, dir) {
  const bytes = fs.readFileSync(path.join(dir, c.body));
  const text = bytes.toString('utf8');
  if (Buffer.byteLength(text) !== bytes.length || bytes.length !== c.size)
    throw new Error(`${c.kind} ${c.size}: ${c.body} is not ${c.size} bytes of valid UTF-8`);
  switch (c.kind) {
    case 'octokit.verifyAndReceive': {
      const webhooks = new Webhooks({ secret: c.secret });
      let calls = 0;
      let runs = 0;
      webhooks.on('push', (event) => {
        if (event.payload.ref === undefined) throw new Error('no ref');
        ++calls;
      });
      const event = { id: c.id, name: c.name, payload: text, signature: c.signature };
      const op = async () => {
        ++runs;
        await webhooks.verifyAndReceive(event);
      };
      return [op, true, () => {
        if (calls !== runs) throw new Error(`handler ran ${calls} times in ${runs} calls`);
      }];
    }
    case 'octokit-methods.verify': {
      let bad = 0;
      const op = async () => {
        if (!(await octokitVerify(c.secret, text, c.signature))) ++bad;
      };
      return [op, true, () => { if (bad) throw new Error(`${bad} verifications failed`); }];
    }
    case 'standardwebhooks.verify': {
      const wh = new StandardWebhook(c.secret);
      const op = () => wh.verify(text, c.headers);  // throws when it does not verify
      return [op, false, () => {}];
    }
    case 'svix.verify': {
      const wh = new SvixWebhook(c.secret);
      const op = () => wh.verify(text, c.headers);
      return [op, false, () => {}];
    }
    case 'stripe.constructEvent': {
      const stripe = new Stripe('sk_test_not_used_no_network', { telemetry: false });
      const op = () => stripe.webhooks.constructEvent(bytes, c.signature, c.secret);
      return [op, false, () => {}];
    }
    default:
      throw new Error(`unknown kind ${c.kind}`);
  }
}

async function main() {
  const o = options(process.argv.slice(2));
  const dir = path.dirname(path.resolve(o.cases));
  const { cases } = JSON.parse(fs.readFileSync(o.cases, 'utf8'));
  const results = [];
  for (const c of cases) {
    const [op, isAsync, check] = prepare(c, dir);
    await op();  // fails loudly if the signature does not verify
    await timed(op, isAsync, o.warmup, o.maxIterations);  // warm-up: let the JIT compile it
    const reps = [];
    let iterations = 0;
    for (let r = 0; r < o.repetitions; ++r) {
      const t = await timed(op, isAsync, o.minTime, o.maxIterations);
      reps.push(t.perOp * 1e6);
      iterations += t.iterations;
    }
    check();
    const us = median(reps);
    process.stderr.write(`peers: ${c.kind.padEnd(26)} ${String(c.size).padStart(8)} B  ${us.toFixed(2).padStart(10)} us` +
                         `  (${iterations} calls)\n`);
    results.push({ kind: c.kind, size: c.size, us_per_op: us, iterations, reps });
  }
  process.stdout.write(JSON.stringify({ node: process.version, results }) + '\n');
}

main().catch((e) => {
  process.stderr.write(`peers: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
