// Converts Kubernetes audit events to ECS documents with the k8s-audit-ecs component,
// transpiled to JavaScript by jco (`npm run transpile`).
//
//   node convert.mjs [--profile NAME] [--cluster-name NAME] [FILE|-] > documents.ndjson
//
// One record per line in; its documents out, one per line, in input order. A record that
// fails is written back with error.type and error.message (the component's errorDocument), so
// nothing is lost. The profiles are the component's own (`normalizer.profiles()`).
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { normalizer } from './generated/k8s_audit_ecs.js';

const profiles = normalizer.profiles();
const usage = () =>
  'usage: node convert.mjs [--profile NAME] [--cluster-name NAME] [FILE|-]\nprofiles:\n' +
  profiles.map(({ name, description }) => `  ${name}: ${description}`).join('\n');

const args = process.argv.slice(2);
const option = (flag) => {
  const at = args.indexOf(flag);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (value === undefined) {
    console.error(`error: ${flag} needs a value\n${usage()}`);
    process.exit(2);
  }
  args.splice(at, 2);
  return value;
};
const profile = option('--profile') ?? 'baseline';
const clusterName = option('--cluster-name');
if (!profiles.some(({ name }) => name === profile)) {
  console.error(`error: unknown profile \`${profile}\`\n${usage()}`);
  process.exit(2);
}
const path = args[0] ?? '-';
const input = path === '-' ? process.stdin : createReadStream(path);
input.on('error', (error) => {
  console.error(`error: ${path}: ${error.message}`);
  process.exit(2);
});

// jco passes a WIT enum as its case name, and `option<string>` as a string or undefined.
const transformer = new normalizer.Transformer({ profile, eventField: undefined, clusterName });
let records = 0;
let documents = 0;
let errors = 0;
const out = [];
for await (const line of createInterface({ input, crlfDelay: Infinity })) {
  records += 1;
  try {
    // jco turns `result<converted, transform-error>` into a return value, or a thrown
    // ComponentError whose `payload` is the transform-error.
    const converted = transformer.transform(line);
    out.push(...converted.documents);
    documents += converted.documents.length - converted.failures.length;
    errors += converted.failures.length;
  } catch (error) {
    if (error.payload === undefined) throw error;
    out.push(normalizer.errorDocument(line, error.payload));
    errors += 1;
  }
  if (out.length >= 1024) process.stdout.write(out.splice(0).join('\n') + '\n');
}
if (out.length > 0) process.stdout.write(out.join('\n') + '\n');
console.error(`records: ${records}, documents: ${documents}, errors: ${errors}`);
