"""Runs every case of a JSON file through the Spark job (one SparkSession, local[2]) and the
Beam pipeline (FnApiRunner), for host-test/tests/scale_out.rs, which compares the outputs with
host-test's. A case: {"input", "profile", "cluster_name", "field", "spark_output",
"beam_output"}. Prints one JSON line per case: the Spark and Beam counters."""

import json
import os
import sys

repo = sys.argv[2]
sys.path[:0] = [os.path.join(repo, "examples", "spark"), os.path.join(repo, "examples", "beam")]

import convert_job  # noqa: E402
import pipeline  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402

cases = json.load(open(sys.argv[1], encoding="utf-8"))
spark = SparkSession.builder.master("local[2]").appName("k8s-audit-ecs-test").config("spark.ui.enabled", "false").getOrCreate()
spark.sparkContext.setLogLevel("ERROR")
try:
    for case in cases:
        spark_counters = convert_job.run(spark, case["input"], case["spark_output"], case["profile"], case["cluster_name"], case["field"])
        args = ["--input", case["input"], "--output", case["beam_output"], "--profile", case["profile"], "--runner=FnApiRunner"]
        if case["cluster_name"]:
            args += ["--cluster-name", case["cluster_name"]]
        if case["field"]:
            args += ["--field", case["field"]]
        pipeline.main(args)
        print(json.dumps({"spark": spark_counters}), flush=True)
finally:
    spark.stop()
