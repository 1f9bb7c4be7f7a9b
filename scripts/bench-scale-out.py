#!/usr/bin/env python3
"""Scaling past one process (docs/scale-out.md, "Measured"): EVENTS realistic audit events
(scripts/fluent-bit/gen-records.py bench) through one plain Python process (`k8s-audit-ecs
transform`), two processes on two halves of the input, Spark local[1] and local[2]
(`examples/spark/convert_job.py`), and Beam's DirectRunner with one and two worker processes
(`examples/beam/pipeline.py`). Prints events/s (whole command: start-up included) and CPU
seconds (the command and every process it started), and the two ratios the targets name.

    bash scripts/dist.sh
    python3 scripts/bench-scale-out.py [EVENTS] [PROFILE]     # defaults: 500000 baseline

Uses (and creates) the virtual environment target/scale-out-venv with
examples/scale-out-requirements.txt and the wheel from dist/, as host-test/tests/scale_out.rs
does; works under target/bench-scale-out/.
"""

import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
WORK = os.path.join(ROOT, "target", "bench-scale-out")
VENV = os.path.join(ROOT, "target", "scale-out-venv")
PY = os.path.join(VENV, "bin", "python")


def version():
    text = open(os.path.join(ROOT, "Cargo.toml"), encoding="utf-8").read()
    return re.search(r'\[workspace\.package\][^\[]*?\nversion = "([^"]+)"', text).group(1)


def ensure_venv():
    wheel = os.path.join(ROOT, "dist", f"k8s_audit_ecs-{version()}-py3-none-any.whl")
    if not os.path.isfile(wheel):
        sys.exit("bench-scale-out.py: run bash scripts/dist.sh first")
    requirements = os.path.join(ROOT, "examples", "scale-out-requirements.txt")
    stamp = os.path.join(VENV, "requirements.txt")
    wanted = open(requirements, encoding="utf-8").read()
    if not os.path.isfile(stamp) or open(stamp, encoding="utf-8").read() != wanted:
        shutil.rmtree(VENV, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([PY, "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", requirements], check=True)
        open(stamp, "w", encoding="utf-8").write(wanted)
    subprocess.run([PY, "-m", "pip", "install", "-q", "--disable-pip-version-check", wheel], check=True)
    subprocess.run([PY, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--force-reinstall", "--no-deps", wheel], check=True)


def busy_seconds():
    """CPU seconds the whole machine has spent busy (/proc/stat: all but idle and iowait):
    counts every process a command starts (Spark's JVM and its Python workers, Beam's
    workers), which the command's own resource usage does not always include."""
    fields = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def timed(commands, env=None):
    """Runs the commands in parallel; wall seconds and the machine's busy CPU seconds (run it
    on an otherwise idle machine)."""
    started, busy = time.monotonic(), busy_seconds()
    procs = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env) for c in commands]
    for p in procs:
        _, stderr = p.communicate()
        if p.returncode != 0:
            sys.exit(f"{commands}: exit {p.returncode}\n{stderr.decode()[-3000:]}")
    return time.monotonic() - started, busy_seconds() - busy


def main():
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 500_000
    profile = sys.argv[2] if len(sys.argv) > 2 else "baseline"
    ensure_venv()
    os.makedirs(WORK, exist_ok=True)
    data = os.path.join(WORK, f"events-{events}.ndjson")
    if not os.path.isfile(data):
        with open(data, "wb") as out:
            subprocess.run([sys.executable, os.path.join(ROOT, "scripts/fluent-bit/gen-records.py"), "bench", str(events)], stdout=out, check=True)
    halves = [os.path.join(WORK, f"half-{i}.ndjson") for i in (0, 1)]
    if not all(os.path.isfile(h) for h in halves):
        lines = open(data, "rb").readlines()
        for i, h in enumerate(halves):
            open(h, "wb").writelines(lines[i * len(lines) // 2 : (i + 1) * len(lines) // 2])
    cli = os.path.join(VENV, "bin", "k8s-audit-ecs")
    env = dict(os.environ, PYSPARK_PYTHON=PY, K8S_AUDIT_ECS_CACHE_DIR=os.path.join(WORK, "cache"))
    subprocess.run([cli, "transform", os.path.join(ROOT, "fixtures/sample-audit.log")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    spark = lambda n, source=data: [os.path.join(VENV, "bin", "spark-submit"), "--master", f"local[{n}]", "--driver-memory", "4g",
                       os.path.join(ROOT, "examples/spark/convert_job.py"), "--profile", profile, source, os.path.join(WORK, f"spark-{n}")]
    beam = lambda n: [PY, os.path.join(ROOT, "examples/beam/pipeline.py"), "--input", data, "--output", os.path.join(WORK, f"beam-{n}/docs"),
                      "--profile", profile, "--runner=DirectRunner", "--direct_running_mode=multi_processing", f"--direct_num_workers={n}"]
    rows = [
        ("one plain Python process (`k8s-audit-ecs transform`)", [[cli, "transform", "--profile", profile, data]]),
        ("two plain processes, half the input each", [[cli, "transform", "--profile", profile, h] for h in halves]),
        ("Spark local[2] on the 10-event sample log: start-up and shutdown alone", [spark(2, os.path.join(ROOT, "fixtures/sample-audit.log"))]),
        ("Spark local[1] (`spark-submit convert_job.py`)", [spark(1)]),
        ("Spark local[2]", [spark(2)]),
        ("Beam DirectRunner, 1 worker process", [beam(1)]),
        ("Beam DirectRunner, 2 worker processes", [beam(2)]),
    ]
    print(f"events: {events:,} ({os.path.getsize(data) / 1e6:,.0f} MB), profile {profile}, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores")
    print("| run | events/s | wall s | CPU s (machine) |\n|---|---|---|---|")
    rate = {}
    for name, commands in rows:
        wall, cpu = timed(commands, env)
        rate[name] = events / wall
        shown = "—" if "start-up" in name else f"{events / wall:,.0f}"
        print(f"| {name} | {shown} | {wall:.1f} | {cpu:.1f} |", flush=True)
    one, two, s1, s2 = (rate[rows[i][0]] for i in (0, 1, 3, 4))
    print(f"\nSpark local[2] / local[1]: {s2 / s1:.2f} (target >= 1.6); Spark local[2] / two plain processes: {s2 / two:.2f} (target >= 0.8)")


if __name__ == "__main__":
    main()
