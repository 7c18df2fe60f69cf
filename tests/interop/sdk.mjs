// SPDX-License-Identifier: BSL-1.0
//
// Node side of the interop test: signs and verifies webhook cases with the
// providers' OWN npm SDKs, so that the C++ library can be checked against
// them in both directions (see README.md in this directory).
//
//   node sdk.mjs sign <stripe|standard|svix|github|all> <count> <seed>
//       Prints a JSON array of signed cases to stdout (<count> per scheme).
//   node sdk.mjs verify <file>
//       Verifies every case of <file> with the SDKs; prints "verified N of M"
//       and one line per failure; exit status 1 if any failed or if M is 0.
//   node sdk.mjs vectors
//       Reproduces the published vectors through the SDKs; non-zero on mismatch.
//   node sdk.mjs selftest <count> <seed>
//       sign all -> compare with a node:crypto reference -> verify in-process,
//       then checks that tampered copies fail.
//
// The SDK packages are loaded from the directory named by the environment
// variable WEBHOOKS_NODE_MODULES: either an npm prefix (the directory holding
// node_modules/) or a node_modules/ directory itself. Without it, the
// directory of this script is used.
//
// Case file format (UTF-8 JSON array):
//   {"scheme": "stripe"|"standard"|"svix"|"github",
//    "secret": "<secret exactly as the provider hands it out>",
//    "id": "<message id; '' for stripe/github>",
//    "timestamp": <unix seconds; 0 for github>,
//    "body_b64": "<raw body bytes, canonical padded base64>",
//    "headers": {"<Header-Name>": "<value>", ...}}
//
// ---------------------------------------------------------------------------
// What each SDK can carry (read from the pinned versions' source; the exact
// file/line references are in README.md):
//
//  * standardwebhooks@1.3.0: sign() and verify() take a string (UTF-8 encoded
//    with TextEncoder) or any Uint8Array/Buffer, whose bytes are used as-is
//    (dist/index.js payloadBytes()). We pass a Buffer: EXACT bytes, every body
//    kind including invalid UTF-8 and the empty body. verify() JSON-parses the
//    body after a successful check unless {jsonParse: false}; we pass that
//    documented option, so no JSON is required.
//
//  * svix@1.99.1 delegates to its own pinned standardwebhooks@1.0.0, whose
//    sign() only takes a string or a Buffer and turns a Buffer into a string
//    with buffer.toString() (UTF-8 decode: invalid sequences become U+FFFD) and
//    then re-encodes with TextEncoder. A Uint8Array that is not a Buffer is
//    rejected. So svix can only carry bodies that are VALID UTF-8 (then the
//    round trip is exact, a leading BOM included, because Buffer#toString keeps
//    it). Generated svix bodies are restricted to valid UTF-8; a non-UTF-8
//    svix case in a verify file is a failure ("cannot be carried").
//    Its verify() also ends with `return JSON.parse(payload.toString())`, which
//    is reached ONLY inside the branch where timingSafeEqual() matched (there is
//    no option to turn it off). A SyntaxError that is not a
//    WebhookVerificationError can therefore only mean "signature matched, body
//    is not JSON" (e.g. the empty body, or plain text); we count that as
//    accepted. Every rejection path of that function throws
//    WebhookVerificationError instead.
//
//  * stripe@23.2.0: generateTestHeaderString() builds `${timestamp}.${payload}`
//    with a template string (a Buffer would be toString()-ed, lossy), and
//    HMACs that string as UTF-8. signature.verifyHeader() takes a string or a
//    Uint8Array; a Uint8Array is decoded with new TextDecoder('utf8') (lossy
//    for invalid UTF-8 AND strips a leading UTF-8 BOM), and a falsy payload
//    (the empty string) is rejected with "No webhook payload was provided.".
//    verifyHeader() does no JSON parsing (constructEvent() parses afterwards,
//    so we call verifyHeader(), which is the check constructEvent() runs).
//    So stripe can carry only VALID UTF-8 bodies; we sign from the exact JS
//    string and verify through every input path that is exact for the body:
//    the Buffer path unless the body starts with a BOM, the string path
//    unless the body is empty. Both must accept; a tampered body must be
//    rejected by every path.
//
//  * @octokit/webhooks-methods@6.0.0: sign() and verify() accept only a
//    string (TypeError otherwise), HMAC it as UTF-8, and reject an empty
//    payload (`!payload` -> TypeError). So github bodies are restricted to
//    NON-EMPTY VALID UTF-8.
//
// Bodies that every SDK can carry are generated for every scheme (ASCII JSON,
// JSON with emoji/CJK/accents, form-encoded text, large bodies up to 64 KiB,
// and "edge" valid UTF-8: NUL and control bytes, CR/LF, a leading BOM, U+FFFD,
// U+FFFF, U+10FFFF, ...). Raw binary (all 256 byte values, invalid UTF-8) is
// generated for standard only; the empty body for standard, svix and stripe.
// ---------------------------------------------------------------------------

import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { Buffer } from 'node:buffer';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SCHEMES = ['stripe', 'standard', 'svix', 'github'];
const HERE = path.dirname(fileURLToPath(import.meta.url));

// ----------------------------------------------------------------- loading

const MODULES_DIR = path.resolve(process.env.WEBHOOKS_NODE_MODULES || HERE);
const requireFrom = createRequire(path.join(MODULES_DIR, 'noop.js'));

function packageDir(name) {
  // The same search path Node uses for a require() from MODULES_DIR.
  for (const dir of requireFrom.resolve.paths(name) || []) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
  }
  throw new Error(`package ${name} not found from ${MODULES_DIR} ` +
    '(set WEBHOOKS_NODE_MODULES to the npm install prefix or its node_modules)');
}

// Minimal "exports" resolution for an ESM-only package, with the conditions
// an ESM import under Node uses.
function resolveExportsTarget(target) {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const t of target) {
      const r = resolveExportsTarget(t);
      if (r !== undefined) return r;
    }
    return undefined;
  }
  if (target && typeof target === 'object') {
    for (const [key, value] of Object.entries(target)) {
      if (key === 'node' || key === 'import' || key === 'default') {
        const r = resolveExportsTarget(value);
        if (r !== undefined) return r;
      }
    }
  }
  return undefined;
}

async function importEsm(name) {
  const dir = packageDir(name);
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  let entry;
  if (pkg.exports !== undefined) {
    const root = typeof pkg.exports === 'object' && !Array.isArray(pkg.exports) &&
      Object.keys(pkg.exports).some((k) => k.startsWith('.'))
      ? pkg.exports['.'] : pkg.exports;
    entry = resolveExportsTarget(root);
  }
  entry = entry || pkg.module || pkg.main || 'index.js';
  return import(pathToFileURL(path.join(dir, entry)).href);
}

function installedVersion(name) {
  return JSON.parse(fs.readFileSync(path.join(packageDir(name), 'package.json'), 'utf8')).version;
}

// The analysis above is for the pinned versions: refuse to run on others.
function checkPinnedVersions() {
  const pins = JSON.parse(fs.readFileSync(path.join(HERE, 'package.json'), 'utf8')).dependencies;
  for (const [name, want] of Object.entries(pins)) {
    const have = installedVersion(name);
    if (have !== want) {
      throw new Error(`${name}@${have} is installed under ${MODULES_DIR}, but package.json pins ${want}`);
    }
  }
  return pins;
}

const sdkCache = {};
async function sdk(scheme) {
  if (sdkCache[scheme]) return sdkCache[scheme];
  let m;
  switch (scheme) {
    case 'stripe': m = requireFrom('stripe').webhooks; break; // static Stripe.webhooks
    case 'standard': m = requireFrom('standardwebhooks'); break;
    case 'svix': m = requireFrom('svix'); break;
    case 'github': m = await importEsm('@octokit/webhooks-methods'); break;
    default: throw new Error(`unknown scheme ${scheme}`);
  }
  sdkCache[scheme] = m;
  return m;
}

// ----------------------------------------------------------------- bytes

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// The body as a JS string if it is valid UTF-8 (a leading BOM is kept), else null.
function utf8OrNull(bytes) {
  let s;
  try {
    s = strictUtf8.decode(bytes);
  } catch {
    return null;
  }
  // Belt and braces: the string must encode back to the very same bytes.
  return Buffer.from(s, 'utf8').equals(bytes) ? s : null;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const startsWithBom = (bytes) => bytes.length >= 3 && bytes.subarray(0, 3).equals(BOM);

// Which bodies each SDK can carry exactly (see the header comment). Returns
// null if it can, else the reason it cannot.
function unrepresentable(scheme, bytes) {
  if (scheme === 'standard') return null;
  if (utf8OrNull(bytes) === null) {
    return {
      svix: 'svix@1.99.1 (standardwebhooks@1.0.0) turns a Buffer into a string with toString(); invalid UTF-8 cannot be carried',
      stripe: 'stripe@23.2.0 signs and verifies JS strings (Uint8Array is TextDecoder-decoded); invalid UTF-8 cannot be carried',
      github: '@octokit/webhooks-methods@6.0.0 takes only a string payload; invalid UTF-8 cannot be carried',
    }[scheme];
  }
  if (scheme === 'github' && bytes.length === 0) {
    return '@octokit/webhooks-methods@6.0.0 rejects an empty payload (TypeError: secret, eventPayload & signature required)';
  }
  return null;
}

// Tampering keeps valid UTF-8 valid: the last byte of valid UTF-8 is ASCII or
// a continuation byte (10xxxxxx), and flipping its lowest bit keeps it in the
// same class without creating an overlong form or a surrogate.
function tamper(bytes) {
  if (bytes.length === 0) return Buffer.from(' ');
  const t = Buffer.from(bytes);
  t[t.length - 1] ^= 0x01;
  return t;
}

// ----------------------------------------------------------------- PRNG

// cyrb128 string hash -> sfc32 generator: deterministic for a given seed.
function cyrb128(str) {
  let h1 = 1779033703, h2 = 3144134277, h3 = 1013904242, h4 = 2773480762;
  for (let i = 0; i < str.length; i++) {
    const k = str.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4; h2 ^= h1; h3 ^= h1; h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

class Rng {
  constructor(seed) {
    [this.a, this.b, this.c, this.d] = cyrb128(String(seed));
    for (let i = 0; i < 16; i++) this.u32();
  }
  u32() {
    this.a |= 0; this.b |= 0; this.c |= 0; this.d |= 0;
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  int(lo, hi) { return lo + Math.floor((this.u32() / 4294967296) * (hi - lo + 1)); } // inclusive
  chance(p) { return this.u32() / 4294967296 < p; }
  pick(arr) { return arr[this.int(0, arr.length - 1)]; }
  bytes(n) {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.u32() & 0xff;
    return b;
  }
  shuffle(arr) {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [arr[i], arr[j]] = [arr[j], arr[i]];
    }
    return arr;
  }
  fromAlphabet(alphabet, n) {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[this.int(0, alphabet.length - 1)];
    return s;
  }
}

// ----------------------------------------------------------------- generators

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
let PRINTABLE = '';
for (let c = 0x20; c <= 0x7e; c++) PRINTABLE += String.fromCharCode(c);
const WORDS = ['It\'s', 'a', 'Secret', 'to', 'Everybody', 'hook', 'p@ss', 'w0rd!', '#1', 'x=y&z', '"q"', '\\', '{}'];

function genSecret(rng, scheme) {
  switch (scheme) {
    case 'stripe': // whsec_ + alphanumerics; used by Stripe as an ASCII string, not decoded
      return 'whsec_' + rng.fromAlphabet(ALNUM, rng.int(24, 64));
    case 'standard':
    case 'svix': // whsec_ + base64 of 24..64 random key bytes
      return 'whsec_' + rng.bytes(rng.int(24, 64)).toString('base64');
    case 'github': { // any printable ASCII, 1..64 chars
      const flavour = rng.int(0, 3);
      let s;
      if (flavour === 0) s = rng.fromAlphabet(ALNUM, rng.int(1, 64));
      else if (flavour === 1) s = rng.fromAlphabet(PRINTABLE, rng.int(1, 64));
      else if (flavour === 2) { // words with spaces
        const words = [];
        for (let n = rng.int(1, 8); n > 0; n--) words.push(rng.pick(WORDS));
        s = words.join(' ').slice(0, 64);
      } else { // leading/trailing spaces must not be trimmed by anybody
        s = ' ' + rng.fromAlphabet(PRINTABLE, rng.int(0, 60)) + ' ';
      }
      return s;
    }
    default: throw new Error(scheme);
  }
}

const UNICODE_SNIPPETS = [
  'café', 'naïve', 'Ångström', 'Æsir', 'Straße', 'ñandú', 'Crème brûlée', 'e\u0301', // combining acute
  '日本語のテキスト', '中文字符', '한국어', 'Ελληνικά', 'Кириллица', 'עברית', 'العربية', 'हिन्दी',
  '😀', '🎉', '👩‍💻', '🇯🇵', '🏳️‍🌈', '𝄞', '\u{1F9EA}', '\u2028', '\u2029', '\u00a0', '€', '£', '¥', '™',
];
const EDGE_SNIPPETS = [
  '\u0000', '\u0001', '\u001f', '\u007f', '\u0080', '\u009f', '\r\n', '\r', '\n', '\t', ' ',
  '\ufeff', '\ufffd', '\ufffe', '\uffff', '\ud7ff', '\ue000', '\ufdd0', '\u{10000}', '\u{10ffff}',
  '\u{1f600}', '\u0301', '\\', '"', '\'', '%', '&', '=', '+', '.', ',', 'whsec_', 'v1,', 't=1,v1=',
];

function asciiWord(rng) { return rng.fromAlphabet(ALNUM, rng.int(1, 12)); }
function unicodeWord(rng) {
  let s = '';
  for (let n = rng.int(1, 4); n > 0; n--) s += rng.chance(0.5) ? rng.pick(UNICODE_SNIPPETS) : asciiWord(rng);
  return s;
}

function genEvent(rng, word) {
  const ev = {
    id: 'evt_' + rng.fromAlphabet(ALNUM, 24),
    object: 'event',
    type: rng.pick(['invoice.paid', 'push', 'message.created', 'customer.updated', 'ping']),
    created: rng.int(1600000000, 1900000000),
    livemode: rng.chance(0.5),
    data: { object: {} },
  };
  for (let n = rng.int(0, 8); n > 0; n--) {
    const key = asciiWord(rng);
    const kind = rng.int(0, 4);
    ev.data.object[key] = kind === 0 ? rng.int(-1e9, 1e9)
      : kind === 1 ? rng.chance(0.5)
      : kind === 2 ? null
      : kind === 3 ? [word(rng), word(rng)]
      : word(rng);
  }
  return ev;
}

function stringifyVariant(rng, obj) {
  const style = rng.int(0, 3);
  if (style === 0) return JSON.stringify(obj);
  if (style === 1) return JSON.stringify(obj, null, 2);
  if (style === 2) return JSON.stringify(obj, null, 2).replace(/\n/g, '\r\n') + '\r\n';
  return JSON.stringify(obj, null, '\t') + '\n';
}

const BODY_KINDS = {
  'json-ascii': (rng) => Buffer.from(stringifyVariant(rng, genEvent(rng, asciiWord)), 'utf8'),
  'json-unicode': (rng) => Buffer.from(stringifyVariant(rng, genEvent(rng, unicodeWord)), 'utf8'),
  'form': (rng) => { // GitHub's application/x-www-form-urlencoded flavour
    const json = JSON.stringify(genEvent(rng, rng.chance(0.5) ? asciiWord : unicodeWord));
    return Buffer.from('payload=' + encodeURIComponent(json), 'utf8');
  },
  'utf8-edge': (rng) => { // valid UTF-8 that is not JSON: control bytes, NUL, BOM, U+FFFD, ...
    let s = rng.chance(0.35) ? '\ufeff' : '';
    for (let n = rng.int(1, 64); n > 0; n--) {
      s += rng.chance(0.6) ? rng.pick(EDGE_SNIPPETS) : rng.pick([asciiWord(rng), rng.pick(UNICODE_SNIPPETS)]);
    }
    return Buffer.from(s, 'utf8');
  },
  'large': (rng) => { // ~4 KiB .. 64 KiB of JSON
    const target = rng.int(4096, 65536 - 512);
    const items = [];
    let size = 2;
    while (size < target) {
      const it = genEvent(rng, rng.chance(0.5) ? asciiWord : unicodeWord);
      size += Buffer.byteLength(JSON.stringify(it)) + 1;
      items.push(it);
    }
    return Buffer.from(JSON.stringify({ object: 'list', data: items }), 'utf8');
  },
  'empty': () => Buffer.alloc(0),
  'binary': (rng) => { // all 256 byte values, shuffled, plus random bytes: never valid UTF-8 (has 0xFF)
    const all = rng.shuffle(Array.from({ length: 256 }, (_, i) => i));
    const extra = rng.bytes(rng.chance(0.15) ? rng.int(0, 65536 - 256) : rng.int(0, 2048));
    return Buffer.concat([Buffer.from(all), extra]);
  },
};

// Body kinds per scheme: what each SDK can carry (see the header comment).
const KINDS_FOR = {
  standard: ['json-ascii', 'json-unicode', 'binary', 'empty', 'large', 'utf8-edge', 'form', 'binary'],
  svix: ['json-ascii', 'json-unicode', 'utf8-edge', 'empty', 'large', 'form'],
  stripe: ['json-ascii', 'json-unicode', 'utf8-edge', 'empty', 'large', 'form'],
  github: ['json-ascii', 'json-unicode', 'utf8-edge', 'large', 'form'],
};

// ----------------------------------------------------------------- signing

async function signCase(scheme, secret, id, timestamp, body) {
  const why = unrepresentable(scheme, body);
  if (why) throw new Error(`internal: generated a ${scheme} body the SDK cannot carry: ${why}`);
  const m = await sdk(scheme);
  switch (scheme) {
    case 'stripe': {
      const header = m.generateTestHeaderString({ payload: utf8OrNull(body), secret, timestamp });
      return { 'Stripe-Signature': header };
    }
    case 'standard': {
      const sig = new m.Webhook(secret).sign(id, new Date(timestamp * 1000), body);
      return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': sig };
    }
    case 'svix': {
      const sig = new m.Webhook(secret).sign(id, new Date(timestamp * 1000), body); // Buffer path
      return { 'svix-id': id, 'svix-timestamp': String(timestamp), 'svix-signature': sig };
    }
    case 'github':
      return { 'X-Hub-Signature-256': await m.sign(secret, utf8OrNull(body)) };
    default: throw new Error(scheme);
  }
}

async function generate(schemes, count, seed) {
  const now = Math.floor(Date.now() / 1000);
  const cases = [];
  for (const scheme of schemes) {
    const rng = new Rng(`${seed}/${scheme}`);
    const kinds = KINDS_FOR[scheme];
    for (let i = 0; i < count; i++) {
      const secret = genSecret(rng, scheme);
      const hasId = scheme === 'standard' || scheme === 'svix';
      const id = hasId ? 'msg_' + rng.fromAlphabet(ALNUM, rng.int(1, 40)) : '';
      const offset = rng.int(-200, 200);
      const timestamp = scheme === 'github' ? 0 : now + offset;
      const body = BODY_KINDS[kinds[i % kinds.length]](rng);
      const headers = await signCase(scheme, secret, id, timestamp, body);
      cases.push({ scheme, secret, id, timestamp, body_b64: body.toString('base64'), headers });
    }
  }
  return cases;
}

function serialize(cases) {
  return '[\n' + cases.map((c) => JSON.stringify(c)).join(',\n') + '\n]\n';
}

// ----------------------------------------------------------------- verifying

const EXPECTED_HEADERS = {
  stripe: ['stripe-signature'],
  standard: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
  svix: ['svix-id', 'svix-timestamp', 'svix-signature'],
  github: ['x-hub-signature-256'],
};

const oneLine = (e) => String(e && e.message !== undefined ? e.message : e).split('\n')[0].trim();

// Checks the case against the file format; returns {body, headers(lowercased)} or throws.
function parseCase(c) {
  if (!c || typeof c !== 'object') throw new Error('format: case is not an object');
  if (!SCHEMES.includes(c.scheme)) throw new Error(`format: unknown scheme ${JSON.stringify(c.scheme)}`);
  if (typeof c.secret !== 'string' || c.secret === '') throw new Error('format: secret must be a non-empty string');
  if (typeof c.id !== 'string') throw new Error('format: id must be a string');
  if (!Number.isSafeInteger(c.timestamp)) throw new Error('format: timestamp must be an integer');
  if (typeof c.body_b64 !== 'string') throw new Error('format: body_b64 must be a string');
  const body = Buffer.from(c.body_b64, 'base64');
  if (body.toString('base64') !== c.body_b64) throw new Error('format: body_b64 is not canonical padded base64');
  if (!c.headers || typeof c.headers !== 'object' || Array.isArray(c.headers)) throw new Error('format: headers must be an object');
  const headers = {};
  for (const [k, v] of Object.entries(c.headers)) {
    if (typeof v !== 'string') throw new Error(`format: header ${k} is not a string`);
    const lk = k.toLowerCase();
    if (lk in headers) throw new Error(`format: header ${k} given twice`);
    headers[lk] = v;
  }
  const want = EXPECTED_HEADERS[c.scheme];
  const have = Object.keys(headers).sort();
  if (have.join() !== [...want].sort().join()) {
    throw new Error(`format: ${c.scheme} needs exactly the headers [${want.join(', ')}], got [${Object.keys(c.headers).join(', ')}]`);
  }
  // The id/timestamp fields must describe the same message as the headers.
  if (c.scheme === 'standard' || c.scheme === 'svix') {
    const p = c.scheme === 'svix' ? 'svix' : 'webhook';
    if (headers[`${p}-id`] !== c.id) throw new Error(`format: ${p}-id header differs from id`);
    if (headers[`${p}-timestamp`] !== String(c.timestamp)) throw new Error(`format: ${p}-timestamp header differs from timestamp`);
  } else {
    if (c.id !== '') throw new Error(`format: id must be empty for ${c.scheme}`);
    if (c.scheme === 'github' && c.timestamp !== 0) throw new Error('format: timestamp must be 0 for github');
    if (c.scheme === 'stripe') {
      const ts = headers['stripe-signature'].split(',').filter((kv) => kv.startsWith('t=')).map((kv) => kv.slice(2));
      if (ts.length !== 1 || ts[0] !== String(c.timestamp)) throw new Error('format: Stripe-Signature t= differs from timestamp');
    }
  }
  return { body, headers };
}

// Runs the SDK's verifier over `body`. Resolves to null if the SDK accepts,
// or to the SDK's error message if it rejects.
async function sdkVerify(c, headers, body) {
  const m = await sdk(c.scheme);
  try {
    switch (c.scheme) {
      case 'standard':
        // Buffer payload: exact bytes. jsonParse:false: the signature check only.
        new m.Webhook(c.secret).verify(body, headers, { jsonParse: false });
        return null;
      case 'svix':
        try {
          new m.Webhook(c.secret).verify(body, headers); // Buffer payload (valid UTF-8 only)
        } catch (e) {
          // standardwebhooks@1.0.0 verify(): `return JSON.parse(payload.toString())`
          // runs only after timingSafeEqual() matched; all its rejections are
          // WebhookVerificationError. A plain SyntaxError = signature accepted.
          if (e instanceof SyntaxError && !(e instanceof m.WebhookVerificationError)) return null;
          throw e;
        }
        return null;
      case 'stripe': {
        // Every input path that is exact for these bytes must accept.
        const header = headers['stripe-signature'];
        const paths = [];
        if (!startsWithBom(body)) paths.push(['Buffer', body]); // TextDecoder would strip a BOM
        if (body.length > 0) paths.push(['string', utf8OrNull(body)]); // '' is "No webhook payload"
        for (const [name, payload] of paths) {
          try {
            m.signature.verifyHeader(payload, header, c.secret); // default tolerance (300 s, age only)
          } catch (e) {
            return `[${name} payload] ${oneLine(e)}`;
          }
        }
        return null;
      }
      case 'github': {
        const ok = await m.verify(c.secret, utf8OrNull(body), headers['x-hub-signature-256']);
        return ok === true ? null : `verify() returned ${ok}`;
      }
      default: throw new Error(c.scheme);
    }
  } catch (e) {
    return `${e && e.name ? e.name + ': ' : ''}${oneLine(e)}`;
  }
}

// Stripe's verification is accepted only if EVERY path accepts; for the
// tamper guard a tampered body counts as accepted if ANY path accepts it.
async function sdkAcceptsAnyPath(c, headers, body) {
  if (c.scheme !== 'stripe') return (await sdkVerify(c, headers, body)) === null;
  const m = await sdk('stripe');
  const paths = [];
  if (!startsWithBom(body)) paths.push(body);
  if (body.length > 0) paths.push(utf8OrNull(body));
  for (const payload of paths) {
    try {
      m.signature.verifyHeader(payload, headers['stripe-signature'], c.secret);
      return true;
    } catch { /* rejected on this path */ }
  }
  return false;
}

// Returns {failures: [{scheme, index, message}], perScheme}.
async function verifyCases(cases) {
  const failures = [];
  const perScheme = {};
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i];
    const scheme = c && SCHEMES.includes(c.scheme) ? c.scheme : String(c && c.scheme);
    const tally = (perScheme[scheme] ??= { ok: 0, total: 0 });
    tally.total++;
    const fail = (message) => failures.push({ scheme, index: i, message });
    let parsed;
    try {
      parsed = parseCase(c);
    } catch (e) {
      fail(oneLine(e));
      continue;
    }
    const { body, headers } = parsed;
    const why = unrepresentable(c.scheme, body);
    if (why) {
      fail(`cannot be carried by the SDK: ${why}`);
      continue;
    }
    const err = await sdkVerify(c, headers, body);
    if (err !== null) {
      fail(err);
      continue;
    }
    // Guard: the same case with the body altered must be rejected.
    const bad = tamper(body);
    if (unrepresentable(c.scheme, bad)) throw new Error('internal: tampering produced an unrepresentable body');
    if (await sdkAcceptsAnyPath(c, headers, bad)) {
      fail('SDK ACCEPTED the case with its body tampered (last byte flipped / byte appended)');
      continue;
    }
    tally.ok++;
  }
  return { failures, perScheme };
}

function report({ failures, perScheme }, total) {
  const ok = total - failures.length;
  console.log(`verified ${ok} of ${total}`);
  for (const [s, t] of Object.entries(perScheme)) console.log(`  ${s}: ${t.ok} of ${t.total}`);
  for (const f of failures) console.log(`FAIL ${f.scheme} #${f.index}: ${f.message}`);
  return failures.length === 0 && total > 0;
}

// Independent reference (node:crypto over the raw bytes) for a case's
// signature header, used by selftest to show that the SDK signers sign the
// exact body bytes rather than a re-encoding of them.
function referenceHeaders(c) {
  const body = Buffer.from(c.body_b64, 'base64');
  const hmac = (key, ...parts) => {
    const h = createHmac('sha256', key);
    for (const p of parts) h.update(p);
    return h.digest();
  };
  switch (c.scheme) {
    case 'stripe':
      return { 'Stripe-Signature': `t=${c.timestamp},v1=` +
        hmac(Buffer.from(c.secret, 'utf8'), `${c.timestamp}.`, body).toString('hex') };
    case 'standard':
    case 'svix': {
      const key = Buffer.from(c.secret.replace(/^whsec_/, ''), 'base64');
      const sig = 'v1,' + hmac(key, `${c.id}.${c.timestamp}.`, body).toString('base64');
      const p = c.scheme === 'svix' ? 'svix' : 'webhook';
      return { [`${p}-id`]: c.id, [`${p}-timestamp`]: String(c.timestamp), [`${p}-signature`]: sig };
    }
    case 'github':
      return { 'X-Hub-Signature-256': 'sha256=' + hmac(Buffer.from(c.secret, 'utf8'), body).toString('hex') };
    default: throw new Error(c.scheme);
  }
}

// ----------------------------------------------------------------- vectors

async function withNow(ms, fn) {
  const real = Date.now;
  Date.now = () => ms;
  try {
    return await fn();
  } finally {
    Date.now = real;
  }
}

async function vectors() {
  let bad = 0;
  const check = (label, got, want) => {
    const ok = got === want;
    if (!ok) bad++;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${label}: ${got}${ok ? '' : `\n       expected: ${want}`}`);
  };
  const attempt = async (label, fn) => {
    try {
      await fn();
      check(label, 'accepted', 'accepted');
    } catch (e) {
      check(label, `rejected (${oneLine(e)})`, 'accepted');
    }
  };

  // Standard Webhooks v1 (published; providers.md 2.1) through standardwebhooks and svix.
  const sw = { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', ts: 1614265330,
    payload: '{"test": 2432232314}', want: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' };
  for (const scheme of ['standard', 'svix']) {
    const m = await sdk(scheme);
    const wh = new m.Webhook(sw.secret);
    check(`${scheme} sign (string)`, wh.sign(sw.id, new Date(sw.ts * 1000), sw.payload), sw.want);
    check(`${scheme} sign (Buffer)`, wh.sign(sw.id, new Date(sw.ts * 1000), Buffer.from(sw.payload)), sw.want);
    const p = scheme === 'svix' ? 'svix' : 'webhook';
    const headers = { [`${p}-id`]: sw.id, [`${p}-timestamp`]: String(sw.ts), [`${p}-signature`]: sw.want };
    await attempt(`${scheme} verify (clock at ${sw.ts})`,
      () => withNow(sw.ts * 1000, () => wh.verify(Buffer.from(sw.payload), headers)));
  }

  // GitHub (published docs vector).
  const gh = { secret: 'It\'s a Secret to Everybody', payload: 'Hello, World!',
    want: 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' };
  const oct = await sdk('github');
  check('github sign', await oct.sign(gh.secret, gh.payload), gh.want);
  check('github verify', String(await oct.verify(gh.secret, gh.payload, gh.want)), 'true');

  // Stripe (generated with stripe-node 23.2.0; providers.md 2.3).
  const st = { secret: 'whsec_test_secret', ts: 1700000000, payload: '{"id":"evt_test_webhook","object":"event"}',
    want: 't=1700000000,v1=d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990' };
  const stripe = await sdk('stripe');
  check('stripe generateTestHeaderString',
    stripe.generateTestHeaderString({ payload: st.payload, secret: st.secret, timestamp: st.ts }), st.want);
  for (const [name, payload] of [['string', st.payload], ['Buffer', Buffer.from(st.payload)]]) {
    await attempt(`stripe verifyHeader (${name}, received at ${st.ts})`,
      () => stripe.signature.verifyHeader(payload, st.want, st.secret, undefined, undefined, st.ts * 1000));
  }
  await attempt('stripe constructEvent', () => withNow(st.ts * 1000, () => stripe.constructEvent(st.payload, st.want, st.secret)));

  console.log(bad === 0 ? 'all vectors match' : `${bad} vector check(s) FAILED`);
  return bad === 0;
}

// ----------------------------------------------------------------- main

function usage() {
  console.error('usage: node sdk.mjs sign <stripe|standard|svix|github|all> <count> <seed>\n' +
    '       node sdk.mjs verify <file>\n' +
    '       node sdk.mjs vectors\n' +
    '       node sdk.mjs selftest <count> <seed>');
  return 2;
}

function parseCount(s) {
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`bad count ${JSON.stringify(s)}`);
  return n;
}

async function main(argv) {
  const [cmd, ...args] = argv;
  if (!cmd) return usage();
  const pins = checkPinnedVersions();
  switch (cmd) {
    case 'sign': {
      if (args.length !== 3) return usage();
      const [which, count, seed] = args;
      if (which !== 'all' && !SCHEMES.includes(which)) return usage();
      const cases = await generate(which === 'all' ? SCHEMES : [which], parseCount(count), seed);
      process.stdout.write(serialize(cases));
      return 0;
    }
    case 'verify': {
      if (args.length !== 1) return usage();
      const cases = JSON.parse(fs.readFileSync(args[0], 'utf8'));
      if (!Array.isArray(cases)) throw new Error(`${args[0]}: not a JSON array`);
      return report(await verifyCases(cases), cases.length) ? 0 : 1;
    }
    case 'vectors':
      console.log('SDKs: ' + Object.entries(pins).map(([n, v]) => `${n}@${v}`).join(', '));
      return (await vectors()) ? 0 : 1;
    case 'selftest': {
      if (args.length !== 2) return usage();
      const cases = await generate(SCHEMES, parseCount(args[0]), args[1]);
      console.log('# SDK signatures == node:crypto HMAC over the raw body bytes');
      let same = 0;
      for (let i = 0; i < cases.length; i++) {
        const want = JSON.stringify(referenceHeaders(cases[i]));
        if (JSON.stringify(cases[i].headers) === want) same++;
        else console.log(`FAIL ${cases[i].scheme} #${i}: SDK signed ${JSON.stringify(cases[i].headers)}, reference ${want}`);
      }
      console.log(`reference: matched ${same} of ${cases.length}`);
      console.log('# round trip: SDK signer -> SDK verifier');
      const good = report(await verifyCases(cases), cases.length) && same === cases.length;
      // Every case altered in one of several ways must fail on its own.
      console.log('# tampered copies (each must be rejected)');
      const rng = new Rng(`${args[1]}/tamper`);
      let caught = 0;
      for (let i = 0; i < cases.length; i++) {
        const c = structuredClone(cases[i]);
        const how = rng.int(0, 2);
        if (how === 0) { // flip a random body bit (invalid UTF-8 then counts as a failure too)
          const b = Buffer.from(c.body_b64, 'base64');
          if (b.length === 0) c.body_b64 = Buffer.from('{}').toString('base64');
          else { b[rng.int(0, b.length - 1)] ^= 1 << rng.int(0, 7); c.body_b64 = b.toString('base64'); }
        } else if (how === 1) { // another secret of the same kind (short github secrets can repeat)
          while (c.secret === cases[i].secret) c.secret = genSecret(rng, c.scheme);
        } else { // change one character of the signature value
          const k = Object.keys(c.headers).find((h) => /signature/i.test(h));
          const v = c.headers[k];
          const pos = v.length - 2; // inside the hex/base64 MAC
          c.headers[k] = v.slice(0, pos) + (v[pos] === 'a' ? 'b' : 'a') + v.slice(pos + 1);
        }
        const { failures } = await verifyCases([c]);
        if (failures.length === 1) caught++;
        else console.log(`FAIL tampered ${c.scheme} #${i} (mode ${how}) was accepted`);
      }
      console.log(`tampered: rejected ${caught} of ${cases.length}`);
      const passed = (good ? 1 : 0) + (caught === cases.length && cases.length > 0 ? 1 : 0);
      console.log(`${passed} passed, ${2 - passed} failed`);
      return passed === 2 ? 0 : 1;
    }
    default:
      return usage();
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => { console.error(`sdk.mjs: ${e && e.stack ? e.stack : e}`); process.exitCode = 2; },
);
