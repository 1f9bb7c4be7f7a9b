// Converts Kubernetes audit events (NDJSON, one record per line) to ECS documents with the
// k8s-audit-ecs component, transpiled to JavaScript by jco (`npm run transpile`).
//
//   node convert.mjs [--profile baseline|extended] [FILE|-] > documents.ndjson
//
// One document per line on stdout, in input order; a record that fails is written back with
// error.type and error.message (the component's errorDocument), so nothing is lost.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { normalizer } from './generated/k8s_audit_ecs.js';

const args = process.argv.slice(2);
let profile = 'baseline';
const profileAt = args.indexOf('--profile');
if (profileAt >= 0) {
  profile = args[profileAt + 1];
  args.splice(profileAt, 2);
  if (profile !== 'baseline' && profile !== 'extended') {
    console.error(`error: unknown profile \`${profile}\` (expected \`baseline\` or \`extended\`)`);
    process.exit(2);
  }
}
const path = args[0] ?? '-';
const input = path === '-' ? process.stdin : createReadStream(path);
input.on('error', (error) => {
  console.error(`error: ${path}: ${error.message}`);
  process.exit(2);
});

const transformer = new normalizer.Transformer({ profile, eventField: undefined });
let records = 0;
let documents = 0;
let errors = 0;
const out = [];
for await (const line of createInterface({ input, crlfDelay: Infinity })) {
  records += 1;
  try {
    // jco turns `result<list<string>, transform-error>` into a return value or a thrown
    // ComponentError whose `payload` is the transform-error.
    for (const document of transformer.transform(line)) {
      out.push(document);
      documents += 1;
    }
  } catch (error) {
    if (error.payload === undefined) throw error;
    out.push(normalizer.errorDocument(line, error.payload));
    errors += 1;
  }
  if (out.length >= 1024) process.stdout.write(out.splice(0).join('\n') + '\n');
}
if (out.length > 0) process.stdout.write(out.join('\n') + '\n');
console.error(`records: ${records}, documents: ${documents}, errors: ${errors}`);
