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

With `--security-lake`, the job writes what an Amazon Security Lake custom source takes: the
`ocsf` profile's documents as Parquet (one OCSF class, API Activity), partitioned as Security
Lake asks (`region=R/accountId=A/eventDay=YYYYMMDD` under OUTPUT_DIR, the custom source's
location, added to, never overwritten), the error documents (and any document without a
`time`, which has no day to be filed under) as text in ERRORS_DIR:

    spark-submit examples/spark/convert_job.py --security-lake --region eu-west-1 \
        --account-id 123456789012 --errors ERRORS_DIR INPUT s3://BUCKET/ext/SOURCE/
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


#: Every attribute the `ocsf` profile writes, as Spark columns (docs/ocsf.md). OCSF's `json_t`
#: values (the request and response bodies) and `unmapped` are kept as their JSON text: Spark
#: reads an object into a STRING column as its text, so no schema is inferred from the bodies
#: of thousands of kinds. The `*_dt` attributes stay RFC 3339 strings, as OCSF writes them.
#: `error` marks an error document (no OCSF attribute is named so); it is not written.
OCSF_COLUMNS = """
activity_id INT, activity_name STRING, category_uid INT, category_name STRING, class_uid INT,
class_name STRING, type_uid BIGINT, type_name STRING, severity_id INT, severity STRING,
time BIGINT, time_dt STRING, timezone_offset INT, start_time BIGINT, start_time_dt STRING,
end_time BIGINT, end_time_dt STRING, duration BIGINT,
status_id INT, status STRING, status_code STRING, status_detail STRING, message STRING,
metadata STRUCT<version: STRING, product: STRUCT<name: STRING, vendor_name: STRING,
  feature: STRUCT<name: STRING>>, profiles: ARRAY<STRING>, log_level: STRING,
  log_version: STRING, correlation_uid: STRING, original_time: STRING>,
actor STRUCT<user: STRUCT<name: STRING, uid: STRING, uid_alt: STRING,
  groups: ARRAY<STRUCT<name: STRING>>, type_id: INT, type: STRING>,
  session: STRUCT<credential_uid: STRING, uid: STRING, uid_alt: STRING, issuer: STRING>,
  authorizations: ARRAY<STRUCT<decision: STRING, policy: STRUCT<name: STRING>>>>,
api STRUCT<operation: STRING, version: STRING, group: STRUCT<name: STRING>,
  request: STRUCT<uid: STRING, data: STRING>,
  response: STRUCT<code: INT, error: STRING, error_message: STRING, data: STRING>>,
http_request STRUCT<http_method: STRING, user_agent: STRING,
  url: STRUCT<path: STRING, query_string: STRING>, uid: STRING>,
http_response STRUCT<code: INT>,
src_endpoint STRUCT<ip: STRING, name: STRING, intermediate_ips: ARRAY<STRING>>,
resources ARRAY<STRUCT<type: STRING, name: STRING, namespace: STRING, uid: STRING,
  version: STRING, role_id: INT, role: STRING>>,
observables ARRAY<STRUCT<name: STRING, type_id: INT, type: STRING, value: STRING>>,
cloud STRUCT<provider: STRING, account: STRUCT<uid: STRING, type_id: INT, type: STRING>,
  region: STRING, zone: STRING>,
unmapped STRING, raw_data STRING, error STRING
"""


def run_security_lake(spark, input_path: str, output_dir: str, errors_dir: str, region: str, account_id: str, cluster_name: Optional[str] = None, field: Optional[str] = None) -> Dict[str, int]:
    """Converts INPUT with the `ocsf` profile: the OCSF documents as Parquet added to
    OUTPUT_DIR under `region=/accountId=/eventDay=` (the day of `time`, in UTC), sorted by
    `time` within each file; the error documents, and any document without a `time`, as text
    in ERRORS_DIR (overwritten). Returns the counters."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    spark.conf.set("spark.sql.session.timeZone", "UTC")
    counters = {name: spark.sparkContext.accumulator(0) for name in ("records", "documents", "errors", "skipped")}
    lines = spark.read.text(input_path)
    documents = lines.mapInArrow(convert_partitions("ocsf", cluster_name, field, counters), "value string")
    # Two outputs from one conversion: kept, not converted twice.
    parsed = documents.select(F.col("value"), F.from_json("value", OCSF_COLUMNS).alias("d")).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        # A document without `time` (an event made by hand, docs/ocsf.md) has no day to be
        # filed under: it goes with the error documents rather than into a made-up partition.
        to_lake = F.col("d.error").isNull() & F.col("d.time").isNotNull()
        parsed.where(~to_lake).select("value").write.mode("overwrite").text(errors_dir)
        ocsf = (
            parsed.where(to_lake)
            .select("d.*")
            .drop("error")
            .withColumn("region", F.lit(region))
            .withColumn("accountId", F.lit(account_id))
            .withColumn("eventDay", F.date_format(F.timestamp_millis("time"), "yyyyMMdd"))
        )
        ocsf.sortWithinPartitions("time").write.mode("append").partitionBy("region", "accountId", "eventDay").parquet(output_dir)
    finally:
        parsed.unpersist()
    return {name: counter.value for name, counter in counters.items()}


def main(argv=None) -> int:
    from k8s_audit_ecs import profiles

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=[name for name, _ in profiles()], help="which fields the documents get (default: baseline; ocsf with --security-lake)")
    parser.add_argument("--cluster-name", dest="cluster_name", metavar="NAME", help="orchestrator.cluster.name, for the profiles that write it")
    parser.add_argument("--field", metavar="NAME", help="the string field holding the event when a record has no `message` (default: log)")
    lake = parser.add_argument_group("Amazon Security Lake (the ocsf profile as Parquet)")
    lake.add_argument("--security-lake", action="store_true", help="write OUTPUT_DIR as a Security Lake custom source's location (implies --profile ocsf)")
    lake.add_argument("--region", help="the custom source's Region (partition `region=`)")
    lake.add_argument("--account-id", dest="account_id", help="the custom source's account or external ID (partition `accountId=`)")
    lake.add_argument("--errors", metavar="ERRORS_DIR", help="where the error documents go, as text (they are not OCSF)")
    parser.add_argument("input", metavar="INPUT")
    parser.add_argument("output", metavar="OUTPUT_DIR")
    args = parser.parse_args(argv)
    if args.security_lake:
        missing = [name for name in ("region", "account_id", "errors") if not getattr(args, name)]
        if missing:
            parser.error("--security-lake needs " + ", ".join("--" + name.replace("_", "-") for name in missing))
        if args.profile not in (None, "ocsf"):
            parser.error(f"--security-lake writes the ocsf profile, not {args.profile}")
    elif args.region or args.account_id or args.errors:
        parser.error("--region, --account-id and --errors go with --security-lake")
    profile = args.profile or ("ocsf" if args.security_lake else "baseline")

    from pyspark.sql import SparkSession

    spark = SparkSession.builder.appName("k8s-audit-ecs").getOrCreate()
    try:
        if args.security_lake:
            counters = run_security_lake(spark, args.input, args.output, args.errors, args.region, args.account_id, args.cluster_name, args.field)
        else:
            counters = run(spark, args.input, args.output, profile, args.cluster_name, args.field)
    finally:
        spark.stop()
    print("records: {records}, documents: {documents}, errors: {errors}, skipped: {skipped}".format(**counters))
    return 0


if __name__ == "__main__":
    sys.exit(main())
