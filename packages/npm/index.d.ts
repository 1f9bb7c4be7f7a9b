// Type declarations for k8s-audit-ecs: Kubernetes API-server audit events to ECS documents.
// The API mirrors the component's WIT interface (wit/k8s-audit-ecs.wit in the project).

/** A profile the component offers. */
export interface ProfileInfo {
  /** Its name, as `Transformer`'s `profile` and the command line's `--profile` take it. */
  name: string;
  /** What its documents hold, in one sentence. */
  description: string;
}

/** The error keywords, as an error document's `error.type` writes them. */
export type ErrorKeyword =
  | 'invalid_json'
  | 'not_an_object'
  | 'not_an_audit_event'
  | 'invalid_base64'
  | 'invalid_gzip'
  | 'payload_too_large'
  | 'invalid_envelope'
  | 'invalid_utf8'
  | 'component_trap';

/** A record, or one event of it, that could not be converted. */
export class TransformError extends Error {
  constructor(keyword: ErrorKeyword, message: string, line?: number, column?: number);
  /** What the error document's `error.type` says. */
  readonly keyword: ErrorKeyword;
  /** What was wrong (the error document's `error.message`). */
  readonly message: string;
  /** For `invalid_json`: the 1-based line of the syntax error. */
  readonly line?: number;
  /** For `invalid_json`: the 1-based column of the syntax error. */
  readonly column?: number;
}

/** An event of a record that failed on its own: its error document is `documents[index]`. */
export interface EventFailure {
  index: number;
  error: TransformError;
}

/** A record's documents, in order, one compact JSON text each. */
export interface Converted {
  /** One per audit event (an `EventList` or a cloud envelope yields several, a CloudWatch
   * control message none), with the error documents of events that failed alone in place. */
  documents: string[];
  /** Which of `documents` are error documents. */
  failures: EventFailure[];
}

/** A failure in a `transformLines` text. */
export interface LineFailure {
  /** The 1-based line of the record. */
  line: number;
  /** For an event that failed inside a record (an `EventList` item, an envelope's event): its
   * position there. */
  event?: number;
  error: TransformError;
}

/** What `transformLines` gives. */
export interface LinesOutput {
  /** NDJSON: one document per line, each ending in a line feed, failed records already
   * written through as their error documents. */
  documents: string;
  /** Records read. */
  records: number;
  /** Documents of events that converted. */
  converted: number;
  /** Records that yielded nothing. */
  skipped: number;
  failures: LineFailure[];
  /** With `more`: how many bytes (of the text's UTF-8) at its end were not read, because a
   * value spread over lines opens there; give them again in front of the next text. */
  unconverted: number;
}

/** A transformer's options. */
export interface Options {
  /** One of `profiles()`: `baseline` (the default, the documented contract), `extended`,
   * `ecs` (what Elastic's and Sigma's Kubernetes rules query), or `ocsf` (OCSF 1.8.0 API
   * Activity, for Security Lake and other OCSF consumers). */
  profile?: string;
  /** Written by the profiles that write it (`orchestrator.cluster.name` in ecs,
   * `unmapped.cluster_name` in ocsf), where the record names no cluster. */
  clusterName?: string;
  /** The string field holding the event when a record has no `message` (default `log`). */
  eventField?: string;
}

/** Converts records with one profile and its options; build one and reuse it. */
export class Transformer {
  /** @throws RangeError for a profile the component does not offer. */
  constructor(options?: Options);
  readonly profile: string;
  /** One record (a JSON object as text) to its documents.
   * @throws TransformError when the whole record fails. */
  transform(record: string): Converted;
  /** A text of records, one per line (a line of several JSON objects run together is that
   * many; a value spread over lines, pretty-printed, is one), to NDJSON; never throws for bad
   * records. `more`: whether more text follows (a stream read in pieces cut after a line
   * feed); then a value that the text cuts off is left unconverted (`unconverted`). */
  transformLines(text: string, more?: boolean): LinesOutput;
}

/** The component's profiles, the default first. */
export function profiles(): ProfileInfo[];

/** The document for a record that failed as a whole: the record as it came, with
 * `error.type` and `error.message` added. */
export function errorDocument(record: string, error: TransformError): string;
