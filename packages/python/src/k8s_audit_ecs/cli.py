"""`k8s-audit-ecs transform`: a stream of records in, NDJSON documents out, nothing lost.

The same contract as `host-test transform` (the project's docs/hosts.md): one record per line
(a line of several JSON objects run together is that many records; a value spread over lines,
pretty-printed, is one), gzip input recognised by
its magic bytes (any number of members), every document on its own line in input order, a
record that fails written back with `error.type` and `error.message`, a line that is not UTF-8
passed through as `invalid_utf8`; the summary on standard error; exit status 0 unless the
input or output fails (2, with one line saying why), or the command line is wrong (2).
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from typing import BinaryIO, Iterator, List, Optional

from . import Transformer, TransformError, __version__, error_document, keep_large_results_on_the_heap, profiles

#: How much input crosses into the component in one `transform-lines` call.
CHUNK_BYTES = 1 << 20
#: Inputs larger than this show progress on a terminal.
PROGRESS_FROM_BYTES = 16 << 20
#: The message of a line that is not UTF-8: the same text as host-test's.
INVALID_UTF8 = "the line is not valid UTF-8; its invalid bytes were replaced by U+FFFD"


class Summary:
    """What a stream conversion did (the line on standard error)."""

    def __init__(self) -> None:
        self.records = self.documents = self.errors = self.skipped = 0

    def __str__(self) -> str:
        return f"records: {self.records}, documents: {self.documents}, errors: {self.errors}, skipped: {self.skipped}"


def chunks(stream: BinaryIO) -> Iterator[bytes]:
    """The input in pieces of about `CHUNK_BYTES` that end at a line feed (the last one may
    not), gunzipped first when it starts with the gzip magic bytes."""
    head = stream.read(2)
    if head == b"\x1f\x8b":
        stream = gzip.GzipFile(fileobj=_Prefixed(head, stream))  # type: ignore[assignment]
        head = b""
    rest = head
    while True:
        block = stream.read(CHUNK_BYTES)
        if not block:
            break
        rest += block
        end = rest.rfind(b"\n")
        if end < 0:
            continue  # one line longer than a chunk: read on
        yield rest[: end + 1]
        rest = rest[end + 1 :]
    if rest:
        yield rest


class _Prefixed:
    """A stream with bytes already read put back in front (for the gzip check)."""

    def __init__(self, prefix: bytes, stream: BinaryIO) -> None:
        self.prefix = prefix
        self.stream = stream

    def read(self, size: int = -1) -> bytes:
        if self.prefix:
            head, self.prefix = self.prefix, b""
            if size < 0:
                return head + self.stream.read()
            return head + self.stream.read(max(0, size - len(head)))
        return self.stream.read(size)


class WriteError(Exception):
    """Writing the documents failed (a full disk, a closed pipe)."""


class Converter:
    """Converts chunks of input and writes their documents. A value spread over lines that a
    chunk cuts off is carried into the next chunk."""

    def __init__(self, transformer: Transformer, output: BinaryIO) -> None:
        self.transformer = transformer
        self.output = output
        self.summary = Summary()
        self.carry = b""

    def convert(self, chunk: bytes) -> None:
        data, self.carry = self.carry + chunk, b""
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            self._convert_lines(data)
            return
        self._convert_text(text, data, more=True)

    def finish(self) -> None:
        """Converts what is carried: the end of the input."""
        data, self.carry = self.carry, b""
        self._convert_text(data.decode("utf-8"), data, more=False)

    def _convert_text(self, text: str, data: bytes, more: bool) -> None:
        if not text:
            return
        out = self.transformer.transform_lines(text, more=more)
        self.summary.records += out.records
        self.summary.documents += out.converted
        self.summary.errors += len(out.failures)
        self.summary.skipped += out.skipped
        self._write(out.documents.encode("utf-8"))
        if out.unconverted:
            self.carry = data[len(data) - out.unconverted :]

    def _write(self, data: bytes) -> None:
        try:
            self.output.write(data)
        except OSError as error:
            raise WriteError(error) from error

    def _convert_lines(self, data: bytes) -> None:
        """Input with bytes that are not UTF-8: its valid lines convert in runs, each line
        that is not UTF-8 is passed through where it stands (a run before it is read to its
        end: a value spread over lines stops there)."""
        run = b""
        for line in data.split(b"\n")[: -1 if data.endswith(b"\n") else None]:
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                self._convert_text(run.decode("utf-8"), run, more=False)
                run = b""
                record = line.rstrip(b"\r").decode("utf-8", "replace")
                error = TransformError("invalid_utf8", INVALID_UTF8)
                self.summary.records += 1
                self.summary.errors += 1
                self._write(error_document(record, error).encode("utf-8") + b"\n")
                continue
            run += line + b"\n"
        self._convert_text(run.decode("utf-8"), run, more=True)


def transform(args: argparse.Namespace) -> int:
    keep_large_results_on_the_heap()
    started = time.monotonic()
    path: Optional[str] = None if args.input in (None, "-") else args.input
    try:
        # The input first: a missing file is reported before the component loads.
        if path is None:
            if sys.stdin.isatty():
                print("reading records from standard input (end with Ctrl-D)", file=sys.stderr)
            stream: BinaryIO = sys.stdin.buffer
            size = 0
        else:
            stream = open(path, "rb")
            size = _size(stream)
    except OSError as error:
        return _fail(f"{path}: {error.strerror or error}")
    try:
        transformer = Transformer(args.profile, cluster_name=args.cluster_name, event_field=args.field)
    except ValueError as error:
        return _fail(str(error))
    try:
        output: BinaryIO = open(args.output, "wb") if args.output else sys.stdout.buffer
    except OSError as error:
        return _fail(f"{args.output}: {error.strerror or error}")
    converter = Converter(transformer, output)
    show_progress = size > PROGRESS_FROM_BYTES and sys.stderr.isatty()
    last_report = time.monotonic()
    name = path or "<stdin>"
    try:
        with stream:
            for chunk in chunks(stream):
                converter.convert(chunk)
                if show_progress and time.monotonic() - last_report >= 1:
                    last_report = time.monotonic()
                    rate = converter.summary.records / (last_report - started)
                    print(f"\r{converter.summary.records} records, {rate:.0f} records/s, {converter.summary.errors} errors   ", end="", file=sys.stderr)
            converter.finish()
    except WriteError as error:
        return _fail(f"cannot write the output: {error}")
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        return _fail(f"cannot read {name}: {error}")
    try:
        output.flush()
        if args.output:
            output.close()
    except OSError as error:
        return _fail(f"cannot write the output: {error}")
    if show_progress:
        print(file=sys.stderr)
    elapsed = time.monotonic() - started
    summary = converter.summary
    print(f"{summary}, elapsed: {elapsed:.2f} s, {summary.records / max(elapsed, 1e-9):.0f} records/s", file=sys.stderr)
    return 0


def _size(stream: BinaryIO) -> int:
    try:
        import os

        return os.fstat(stream.fileno()).st_size
    except OSError:
        return 0


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="k8s-audit-ecs",
        description="Kubernetes API-server audit events to ECS documents (the k8s-audit-ecs component under wasmtime).",
    )
    top.add_argument("--version", action="version", version=f"k8s-audit-ecs {__version__}")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    listed = "\n".join(f"  {name}: {description}" for name, description in profiles())
    run = commands.add_parser(
        "transform",
        help="convert records (one per line) to ECS documents (NDJSON)",
        description="Converts every record of FILE (or standard input) and writes its documents, one per line, in input order. A record that fails is written back with error.type and error.message; nothing is dropped. The summary goes to standard error.",
        epilog=f"profiles:\n{listed}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("--profile", default="baseline", choices=[name for name, _ in profiles()], help="which fields the documents get (default: baseline)")
    run.add_argument("--field", default=None, metavar="NAME", help="the string field holding the event when a record has no `message` (default: log)")
    run.add_argument("--cluster-name", dest="cluster_name", default=None, metavar="NAME", help="orchestrator.cluster.name, for the profiles that write it")
    run.add_argument("--output", default=None, metavar="FILE", help="write the documents to FILE instead of standard output")
    run.add_argument("input", nargs="?", default=None, metavar="FILE|-", help="the records (gzip too); standard input when absent or -")
    return top


def main(argv: Optional[List[str]] = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "transform":
        return transform(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
