// Kubernetes API-server audit events to ECS (Elastic Common Schema) documents, by the
// k8s-audit-ecs WebAssembly component transpiled to JavaScript with jco (`generated/`, written
// by the project's scripts/dist.sh). The API mirrors the WIT interface (wit/k8s-audit-ecs.wit):
// see index.d.ts for every item.
import { normalizer } from './generated/k8s_audit_ecs.js';

/** A record, or one event of it, that could not be converted (see index.d.ts). */
export class TransformError extends Error {
  constructor(keyword, message, line, column) {
    super(`${keyword}: ${message}`);
    this.name = 'TransformError';
    this.keyword = keyword;
    // `message` is the error's own text, as its error document's `error.message` says it.
    Object.defineProperty(this, 'message', { value: message, enumerable: true });
    if (line !== undefined) this.line = line;
    if (column !== undefined) this.column = column;
  }

  /** From jco's form of the WIT `transform-error`: `{ tag, val }`. */
  static fromWit({ tag, val }) {
    const keyword = tag.replaceAll('-', '_');
    return tag === 'invalid-json'
      ? new TransformError(keyword, val.message, val.line, val.column)
      : new TransformError(keyword, val);
  }

  /** To jco's form of the WIT `transform-error`. */
  toWit() {
    const tag = this.keyword.replaceAll('_', '-');
    return tag === 'invalid-json'
      ? { tag, val: { line: this.line ?? 0, column: this.column ?? 0, message: this.message } }
      : { tag, val: this.message };
  }
}

/** The component's profiles, `{ name, description }`, the default first. */
export function profiles() {
  return normalizer.profiles();
}

/** The document written for a record that failed as a whole: the record with `error.type` and
 * `error.message` added. */
export function errorDocument(record, error) {
  return normalizer.errorDocument(record, error.toWit());
}

/** Converts records with one profile and its options; build one and reuse it. */
export class Transformer {
  constructor({ profile = 'baseline', clusterName, eventField } = {}) {
    const known = normalizer.profiles().map(({ name }) => name);
    if (!known.includes(profile)) {
      throw new RangeError(`unknown profile \`${profile}\`; the component offers: ${known.join(', ')}`);
    }
    this.profile = profile;
    // jco passes a WIT enum as its case name, and `option<string>` as a string or undefined.
    this.inner = new normalizer.Transformer({
      profile,
      eventField: eventField ?? undefined,
      clusterName: clusterName ?? undefined,
    });
  }

  transform(record) {
    let converted;
    try {
      converted = this.inner.transform(record);
    } catch (error) {
      // jco throws `err(transform-error)` as a ComponentError whose `payload` is the error.
      if (error?.payload === undefined) throw error;
      throw TransformError.fromWit(error.payload);
    }
    return {
      documents: converted.documents,
      failures: converted.failures.map(({ index, error }) => ({ index, error: TransformError.fromWit(error) })),
    };
  }

  transformLines(text, more = false) {
    const out = this.inner.transformLines(text, more);
    return {
      documents: out.documents,
      records: out.records,
      converted: out.converted,
      skipped: out.skipped,
      failures: out.failures.map(({ line, event, error }) => ({ line, event, error: TransformError.fromWit(error) })),
      unconverted: out.unconverted,
    };
  }
}
