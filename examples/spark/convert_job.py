"""Kubernetes audit logs to ECS documents on Apache Spark, with the k8s-audit-ecs package.

    spark-submit examples/spark/convert_job.py [--profile P] [--cluster-name NAME] [--field NAME] INPUT OUTPUT_DIR

INPUT is anything `spark.read.text` reads: a file, a folder, a glob; gzip files (`.gz`) too.
Each line is a record (an audit event, a `message`-wrapped one, an EventList, a cloud envelope
such as a CloudWatch Logs subscription message exported to S3). OUTPUT_DIR receives the
documents as text, one per line; concatenated in part order they are exactly what
`k8s-audit-ecs transform` writes for the same input, in input order. A record that fails comes
back as its error document: nothing is dropped. The counters (records, documents, errors,
skipped) are printed at the end.

The DataFrame API (`mapInArrow`), so it runs where the RDD API is refused (Spark Connect,
Databricks shared and serverless compute). Each partition gets one transformer; the component
is compiled once per Python worker process (workers are reused) and converts each Arrow batch
in one call. Needs on every worker: the `k8s-audit-ecs` wheel (its only dependency is PyPI's
`wasmtime`), `pyarrow`, and `pandas` (docs/scale-out.md says how to install them on EMR, Glue,
Databricks and Dataproc).
"""

from __future__ import annotations

import argparse
import sys
from typing import Dict, Iterator, Optional

#: Records per call into the component (Arrow batches are cut to this size).
BATCH_RECORDS = 1000


def convert_partitions(profile: str, cluster_name: Optional[str], field: Optional[str], counters: Dict[str, object]):
    """The function `mapInArrow` runs on each partition: record batches of `value` (the input
    lines) in, record batches of `value` (the documents) out."""

    def convert(batches: Iterator["pyarrow.RecordBatch"]) -> Iterator["pyarrow.RecordBatch"]:
        import pyarrow as pa
        import pyarrow.compute as pc
        from k8s_audit_ecs import Transformer, keep_large_results_on_the_heap

        # The Python worker's main work is this conversion (docs/performance.md).
        keep_large_results_on_the_heap()
        transformer = Transformer(profile, cluster_name=cluster_name, event_field=field)
        for batch in batches:
            lines = batch.column(0).to_pylist()
            for start in range(0, len(lines), BATCH_RECORDS):
                part = lines[start : start + BATCH_RECORDS]
                # A null (it cannot come from a text file) would be an empty line.
                out = transformer.transform_lines("".join((line or "") + "\n" for line in part))
                counters["records"].add(out.records)
                counters["documents"].add(out.converted)
                counters["errors"].add(len(out.failures))
                counters["skipped"].add(out.skipped)
                if not out.documents:
                    continue
                # One document per line, split in Arrow (no Python string per document); the
                # text ends with a line feed.
                text = pa.array([out.documents[:-1]], pa.string())
                documents = pc.split_pattern(text, "\n").flatten()
                yield pa.RecordBatch.from_arrays([documents], names=["value"])

    return convert


def run(spark, input_path: str, output_dir: str, profile: str = "baseline", cluster_name: Optional[str] = None, field: Optional[str] = None) -> Dict[str, int]:
    """Converts INPUT into OUTPUT_DIR (overwritten) and returns the counters."""
    counters = {name: spark.sparkContext.accumulator(0) for name in ("records", "documents", "errors", "skipped")}
    lines = spark.read.text(input_path)
    documents = lines.mapInArrow(convert_partitions(profile, cluster_name, field, counters), "value string")
    documents.write.mode("overwrite").text(output_dir)
    return {name: counter.value for name, counter in counters.items()}


def main(argv=None) -> int:
    from k8s_audit_ecs import profiles

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="baseline", choices=[name for name, _ in profiles()])
    parser.add_argument("--cluster-name", dest="cluster_name", metavar="NAME", help="orchestrator.cluster.name, for the profiles that write it")
    parser.add_argument("--field", metavar="NAME", help="the string field holding the event when a record has no `message` (default: log)")
    parser.add_argument("input", metavar="INPUT")
    parser.add_argument("output", metavar="OUTPUT_DIR")
    args = parser.parse_args(argv)

    from pyspark.sql import SparkSession

    spark = SparkSession.builder.appName("k8s-audit-ecs").getOrCreate()
    try:
        counters = run(spark, args.input, args.output, args.profile, args.cluster_name, args.field)
    finally:
        spark.stop()
    print("records: {records}, documents: {documents}, errors: {errors}, skipped: {skipped}".format(**counters))
    return 0


if __name__ == "__main__":
    sys.exit(main())
