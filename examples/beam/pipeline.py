"""Kubernetes audit logs to ECS documents on Apache Beam, with the k8s-audit-ecs package.

    python examples/beam/pipeline.py --input GLOB --output PREFIX [--profile P]
        [--cluster-name NAME] [--field NAME] [--runner ...] [other Beam pipeline options]

Batch: reads text records (one per line; `.gz` files too) from GLOB and writes their documents,
one per line, to PREFIX-SSSSS-of-NNNNN files; a record that fails comes back as its error
document, nothing is dropped. The counters (records, documents, errors, skipped) are Beam
metrics, printed at the end where the runner reports them.

Streaming (`--subscription projects/P/subscriptions/S --output-topic projects/P/topics/T`):
reads Pub/Sub messages — a GKE log sink's LogEntries, the push/pull message as it arrives —
and publishes each message's documents. Needs `apache-beam[gcp]` and a runner that streams
(Dataflow); not run by the project's tests (no Pub/Sub here).

`ConvertRecords` builds its transformer in `setup()` (once per DoFn instance, the component
compiled once per worker process) and converts a batch of records per call. On Dataflow the
package reaches the workers as an extra package (docs/scale-out.md).
"""

from __future__ import annotations

import argparse
import sys
from typing import Iterable, List, Optional

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.options.pipeline_options import PipelineOptions, SetupOptions, StandardOptions


class ConvertRecords(beam.DoFn):
    """A batch of records (text, one record each) in, their documents out, in order."""

    def __init__(self, profile: str = "baseline", cluster_name: Optional[str] = None, field: Optional[str] = None) -> None:
        self.profile = profile
        self.cluster_name = cluster_name
        self.field = field
        self.records = Metrics.counter("k8s-audit-ecs", "records")
        self.documents = Metrics.counter("k8s-audit-ecs", "documents")
        self.errors = Metrics.counter("k8s-audit-ecs", "errors")
        self.skipped = Metrics.counter("k8s-audit-ecs", "skipped")

    def setup(self) -> None:
        from k8s_audit_ecs import Transformer, keep_large_results_on_the_heap

        # The worker's main work is this conversion (docs/performance.md).
        keep_large_results_on_the_heap()
        self.transformer = Transformer(self.profile, cluster_name=self.cluster_name, event_field=self.field)

    def process(self, batch: List[str]) -> Iterable[str]:
        if not any("\n" in record for record in batch):
            # The usual case: the batch crosses into the component as one text.
            yield from self._convert("".join(record + "\n" for record in batch))
            return
        # A record holding a line feed (a pretty-printed Pub/Sub message) would be several
        # lines: each record crosses alone, its exact text kept.
        from k8s_audit_ecs import TransformError, error_document

        for record in batch:
            self.records.inc()
            try:
                converted = self.transformer.transform(record)
            except TransformError as error:
                self.errors.inc()
                yield error_document(record, error)
                continue
            self.errors.inc(len(converted.failures))
            self.documents.inc(len(converted.documents) - len(converted.failures))
            if not converted.documents:
                self.skipped.inc()
            yield from converted.documents

    def _convert(self, text: str) -> Iterable[str]:
        out = self.transformer.transform_lines(text)
        self.records.inc(out.records)
        self.documents.inc(out.converted)
        self.errors.inc(len(out.failures))
        self.skipped.inc(out.skipped)
        documents = out.documents.split("\n")
        documents.pop()  # the text ends with a line feed
        return documents


def convert(records, profile: str, cluster_name: Optional[str], field: Optional[str]):
    """The conversion as a composite step: records (strings) in, documents (strings) out."""
    return (
        records
        | "Batch" >> beam.BatchElements(min_batch_size=100, max_batch_size=1000)
        | "Convert" >> beam.ParDo(ConvertRecords(profile, cluster_name, field))
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", metavar="GLOB", help="text records, one per line (batch)")
    parser.add_argument("--output", metavar="PREFIX", help="where the documents go (batch)")
    parser.add_argument("--subscription", help="a Pub/Sub subscription to read (streaming)")
    parser.add_argument("--output-topic", dest="output_topic", help="the Pub/Sub topic the documents go to (streaming)")
    parser.add_argument("--profile", default="baseline", help="baseline, extended, ecs or ocsf (default: baseline)")
    parser.add_argument("--cluster-name", dest="cluster_name", metavar="NAME")
    parser.add_argument("--field", metavar="NAME", help="the string field holding the event when a record has no `message` (default: log)")
    args, beam_args = parser.parse_known_args(argv)
    streaming = args.subscription is not None
    if streaming != (args.output_topic is not None) or streaming == (args.input is not None) or (args.input is None) != (args.output is None):
        parser.error("give --input and --output (batch), or --subscription and --output-topic (streaming)")
    from k8s_audit_ecs import profiles

    if args.profile not in [name for name, _ in profiles()]:
        parser.error(f"unknown profile {args.profile!r}; the component offers: {', '.join(name for name, _ in profiles())}")

    options = PipelineOptions(beam_args)
    options.view_as(SetupOptions).save_main_session = False
    options.view_as(StandardOptions).streaming = streaming
    pipeline = beam.Pipeline(options=options)
    if streaming:
        messages = pipeline | "Read" >> beam.io.ReadFromPubSub(subscription=args.subscription)
        records = messages | "Decode" >> beam.Map(lambda data: data.decode("utf-8", "replace"))
        documents = convert(records, args.profile, args.cluster_name, args.field)
        _ = documents | "Encode" >> beam.Map(str.encode) | "Publish" >> beam.io.WriteToPubSub(args.output_topic)
    else:
        records = pipeline | "Read" >> beam.io.ReadFromText(args.input)
        documents = convert(records, args.profile, args.cluster_name, args.field)
        _ = documents | "Write" >> beam.io.WriteToText(args.output)
    result = pipeline.run()
    result.wait_until_finish()
    if not streaming:
        counters = {c.key.metric.name: c.committed for c in result.metrics().query()["counters"]}
        print("records: {}, documents: {}, errors: {}, skipped: {}".format(*(counters.get(n, 0) for n in ("records", "documents", "errors", "skipped"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
