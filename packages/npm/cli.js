#!/usr/bin/env node
// `k8s-audit-ecs transform`: a stream of records in, NDJSON documents out, nothing lost; the
// same contract as `host-test transform` (the project's docs/hosts.md). `k8s-audit-ecs lambda
// EVENT.json` runs the Lambda handler (k8s-audit-ecs/lambda) on one event, as AWS would.
import { createReadStream, createWriteStream, readFileSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { once } from 'node:events';
import { createGunzip } from 'node:zlib';
import { createRequire } from 'node:module';
import { Transformer, TransformError, errorDocument, profiles } from './index.js';

const { version } = createRequire(import.meta.url)('./package.json');
const CHUNK_BYTES = 1 << 20;
const PROGRESS_FROM_BYTES = 16 << 20;
// The message of a line that is not UTF-8: the same text as host-test's.
const INVALID_UTF8 = 'the line is not valid UTF-8; its invalid bytes were replaced by U+FFFD';

const profileList = () => profiles().map(({ name, description }) => `  ${name}: ${description}`).join('\n');
const USAGE = `usage: k8s-audit-ecs transform [--profile P] [--field NAME] [--cluster-name NAME] [--output FILE] [FILE|-]
       k8s-audit-ecs lambda [--profile P] [--cluster-name NAME] EVENT.json|-
       k8s-audit-ecs --version`;

class UsageError extends Error {}

function fail(message) {
  process.stderr.write(`error: ${message}\n`);
  return 2;
}

/** The options and operands of a command line, by the flags it takes. */
function parse(args, flags) {
  const options = {};
  const operands = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    const [flag, inline] = arg.startsWith('--') ? arg.split(/=(.*)/s, 2) : [arg];
    if (flag === '--help' || flag === '-h') throw new UsageError('');
    if (flags.includes(flag)) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new UsageError(`${flag} needs a value`);
      options[flag.slice(2)] = value;
    } else if (arg.startsWith('--')) {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      operands.push(arg);
    }
  }
  if (operands.length > 1) throw new UsageError(`one input at most, got ${operands.join(' ')}`);
  return { options, input: operands[0] };
}

/** The input as chunks of about CHUNK_BYTES ending at a line feed (the last may not),
 * gunzipped first when it starts with the gzip magic bytes. */
async function* chunks(stream) {
  const iterator = stream[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return;
  // The whole input again, its first block included.
  const input = (async function* () {
    yield first.value;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  })();
  const gzip = first.value[0] === 0x1f && first.value[1] === 0x8b;
  const source = gzip ? Readable.from(input).pipe(createGunzip()) : input;
  let rest = Buffer.alloc(0);
  for await (const block of source) {
    rest = rest.length ? Buffer.concat([rest, block]) : block;
    if (rest.length < CHUNK_BYTES) continue;
    const end = rest.lastIndexOf(0x0a);
    if (end < 0) continue;
    yield rest.subarray(0, end + 1);
    rest = rest.subarray(end + 1);
  }
  if (rest.length) yield rest;
}

class Converter {
  constructor(transformer, write) {
    this.transformer = transformer;
    this.write = write;
    this.summary = { records: 0, documents: 0, errors: 0, skipped: 0 };
    this.strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    this.lossy = new TextDecoder('utf-8', { ignoreBOM: true });
    // A value spread over lines that a chunk cut off, for the next chunk.
    this.carry = Buffer.alloc(0);
  }

  async convert(chunk) {
    const data = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = Buffer.alloc(0);
    let text;
    try {
      text = this.strict.decode(data);
    } catch {
      return this.convertLines(data);
    }
    return this.convertText(text, data, true);
  }

  /** Converts what is carried: the end of the input. */
  async finish() {
    const data = this.carry;
    this.carry = Buffer.alloc(0);
    return this.convertText(this.strict.decode(data), data, false);
  }

  async convertText(text, data, more) {
    if (!text) return;
    const out = this.transformer.transformLines(text, more);
    this.summary.records += out.records;
    this.summary.documents += out.converted;
    this.summary.errors += out.failures.length;
    this.summary.skipped += out.skipped;
    if (out.unconverted) this.carry = Buffer.from(data.subarray(data.length - out.unconverted));
    await this.write(out.documents);
  }

  /** Input with bytes that are not UTF-8: its valid lines convert in runs, each line that is
   * not UTF-8 is passed through where it stands (a run before it is read to its end). */
  async convertLines(data) {
    let run = [];
    const flush = async (more) => {
      const bytes = Buffer.concat(run);
      run = [];
      await this.convertText(this.strict.decode(bytes), bytes, more);
    };
    let start = 0;
    while (start < data.length) {
      let end = data.indexOf(0x0a, start);
      if (end < 0) end = data.length;
      const line = data.subarray(start, end);
      start = end + 1;
      try {
        this.strict.decode(line);
      } catch {
        await flush(false);
        const bytes = line.at(-1) === 0x0d ? line.subarray(0, -1) : line;
        this.summary.records += 1;
        this.summary.errors += 1;
        await this.write(errorDocument(this.lossy.decode(bytes), new TransformError('invalid_utf8', INVALID_UTF8)) + '\n');
        continue;
      }
      run.push(line, Buffer.from('\n'));
    }
    await flush(true);
  }
}

function transformerOf(options) {
  return new Transformer({ profile: options.profile ?? 'baseline', clusterName: options['cluster-name'], eventField: options.field });
}

async function transform(args) {
  const { options, input } = parse(args, ['--profile', '--field', '--cluster-name', '--output']);
  const path = input === undefined || input === '-' ? undefined : input;
  let size = 0;
  if (path === undefined) {
    if (process.stdin.isTTY) process.stderr.write('reading records from standard input (end with Ctrl-D)\n');
  } else {
    try {
      size = statSync(path).size;
    } catch (error) {
      return fail(`${path}: ${error.message}`);
    }
  }
  const started = performance.now();
  let transformer;
  try {
    transformer = transformerOf(options);
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
  const output = options.output ? createWriteStream(options.output) : process.stdout;
  let writeError;
  output.on('error', (error) => { writeError ??= error; });
  const write = async (text) => {
    if (writeError) throw writeError;
    if (!output.write(text)) await Promise.race([once(output, 'drain'), once(output, 'error')]);
    if (writeError) throw writeError;
  };
  const converter = new Converter(transformer, write);
  const showProgress = size > PROGRESS_FROM_BYTES && process.stderr.isTTY;
  let lastReport = performance.now();
  const name = path ?? '<stdin>';
  const stream = path === undefined ? process.stdin : createReadStream(path, { highWaterMark: CHUNK_BYTES });
  try {
    for await (const chunk of chunks(stream)) {
      try {
        await converter.convert(chunk);
      } catch (error) {
        return fail(`cannot write the output: ${error.message}`);
      }
      if (showProgress && performance.now() - lastReport >= 1000) {
        lastReport = performance.now();
        const rate = converter.summary.records / ((lastReport - started) / 1000);
        process.stderr.write(`\r${converter.summary.records} records, ${rate.toFixed(0)} records/s, ${converter.summary.errors} errors   `);
      }
    }
    try {
      await converter.finish();
    } catch (error) {
      return fail(`cannot write the output: ${error.message}`);
    }
  } catch (error) {
    return fail(`cannot read ${name}: ${error.message}`);
  }
  if (options.output) {
    output.end();
    try {
      await once(output, 'finish');
    } catch (error) {
      return fail(`cannot write the output: ${error.message}`);
    }
  }
  if (writeError) return fail(`cannot write the output: ${writeError.message}`);
  if (showProgress) process.stderr.write('\n');
  const elapsed = (performance.now() - started) / 1000;
  const { records, documents, errors, skipped } = converter.summary;
  process.stderr.write(`records: ${records}, documents: ${documents}, errors: ${errors}, skipped: ${skipped}, elapsed: ${elapsed.toFixed(2)} s, ${(records / Math.max(elapsed, 1e-9)).toFixed(0)} records/s\n`);
  return 0;
}

async function lambda(args) {
  const { options, input } = parse(args, ['--profile', '--cluster-name']);
  if (input === undefined) throw new UsageError('lambda needs an event file (or - for standard input)');
  let event;
  try {
    event = JSON.parse(readFileSync(input === '-' ? 0 : input, 'utf8'));
  } catch (error) {
    return fail(`${input}: ${error.message}`);
  }
  // The handler reads its configuration from the environment, as in AWS.
  if (options.profile) process.env.K8S_AUDIT_ECS_PROFILE = options.profile;
  if (options['cluster-name']) process.env.K8S_AUDIT_ECS_CLUSTER_NAME = options['cluster-name'];
  const { handler } = await import('./lambda.js');
  const documents = await handler(event);
  process.stdout.write(documents.map((document) => JSON.stringify(document) + '\n').join(''));
  return 0;
}

async function main(argv) {
  const [command, ...args] = argv;
  try {
    if (command === '--version' || command === '-V') {
      process.stdout.write(`k8s-audit-ecs ${version}\n`);
      return 0;
    }
    if (command === 'transform') return await transform(args);
    if (command === 'lambda') return await lambda(args);
    if (command === '--help' || command === '-h') {
      process.stdout.write(`${USAGE}\nprofiles:\n${profileList()}\n`);
      return 0;
    }
    throw new UsageError(command === undefined ? 'a command is needed' : `unknown command ${command}`);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (error.message) process.stderr.write(`error: ${error.message}\n`);
    process.stderr.write(`${USAGE}\nprofiles:\n${profileList()}\n`);
    return error.message ? 2 : 0;
  }
}

process.exitCode = await main(process.argv.slice(2));
