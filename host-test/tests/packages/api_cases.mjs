// Runs the cases of a JSON file through the installed npm package's API and prints one JSON
// line per case (host-test/tests/packages.rs compares them with the native core). The same
// cases and lines as api_cases.py.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { Transformer, TransformError, errorDocument, profiles } from 'k8s-audit-ecs';

const transformers = new Map();
for (const c of JSON.parse(readFileSync(process.argv[2], 'utf8'))) {
  const key = JSON.stringify([c.profile, c.cluster_name, c.event_field]);
  if (!transformers.has(key)) {
    transformers.set(key, new Transformer({ profile: c.profile, clusterName: c.cluster_name ?? undefined, eventField: c.event_field ?? undefined }));
  }
  const out = { documents: [], failures: [], error: null, error_document: null };
  try {
    const converted = transformers.get(key).transform(c.record);
    out.documents = converted.documents;
    out.failures = converted.failures.map(({ index, error }) => [index, error.keyword]);
  } catch (error) {
    if (!(error instanceof TransformError)) throw error;
    out.error = [error.keyword, error.message];
    out.error_document = errorDocument(c.record, error);
  }
  console.log(JSON.stringify(out));
}

const lines = new Transformer().transformLines('not json\n{"auditID":"a"}\n');
assert.deepEqual([lines.records, lines.converted, lines.skipped], [2, 1, 0]);
assert.deepEqual(lines.failures.map(({ line, error }) => [line, error.keyword]), [[1, 'invalid_json']]);
assert.equal(lines.documents.split('\n').length, 3);
assert.throws(() => new Transformer({ profile: 'nope' }), RangeError);
const { version } = createRequire(import.meta.url)('k8s-audit-ecs/package.json');
console.log(JSON.stringify({ version, profiles: profiles().map(({ name }) => name) }));
