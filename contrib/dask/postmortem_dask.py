#!/usr/bin/env python3
"""Scan a fleet's logs on a Dask cluster with `postmortem scan`, and draft them together.

Each shard (a host's log directory, or any set of files) is scanned by `postmortem scan`
on a Dask worker that can read it; the partial comes back to this process as bytes, and
`postmortem draft` reads every partial as if one run had read all the files
(docs/partials.md). The draft is the same whatever the shards, byte for byte.

    python3 postmortem_dask.py --scheduler tcp://scheduler:8786 \\
        --shard /var/log/hosts/web-1 --shard /var/log/hosts/web-2 --shard /var/log/hosts/db-1 \\
        --partials ./partials -- --tz UTC --output postmortem.md

`--local N` starts a `distributed.LocalCluster` of N workers instead (one thread each). The
`postmortem` binary must be on each worker's PATH (or given with `--postmortem`), and each
shard's paths readable where its task runs: on a cluster whose workers run on the hosts,
give each host's shard to its worker with Dask's `workers=` restriction (see
`scan_shards`).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from typing import Iterable, Sequence

# `postmortem scan` exits 2 when some file could not be read, but still writes the
# partial: the problems travel in it and the draft says them, as one run would.
SCANNED = (0, 2)


def scan_shard(paths: Sequence[str], postmortem: str = "postmortem", scan_args: Sequence[str] = ()) -> bytes:
    """Runs `postmortem scan` over one shard's paths; returns the partial's bytes.

    Runs on a Dask worker: it needs the binary and the paths there, and nothing else.
    """
    with tempfile.TemporaryDirectory(prefix="postmortem-shard-") as tmp:
        out = os.path.join(tmp, "shard.pmscan")
        command = [postmortem, "scan", "--quiet", "--output", out, *scan_args, "--", *paths]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode not in SCANNED or not os.path.exists(out):
            raise RuntimeError(f"postmortem scan failed on {list(paths)} (exit {done.returncode}): {done.stderr.strip()}")
        with open(out, "rb") as partial:
            return partial.read()


def scan_shards(client, shards: Sequence[Sequence[str]], postmortem: str, scan_args: Sequence[str], workers: Sequence[str] | None = None) -> list[bytes]:
    """Scans every shard on the cluster; the partials in the order of `shards`.

    `workers`, where given, names for each shard the worker that must scan it (the one on
    its host).
    """
    futures = []
    for index, shard in enumerate(shards):
        restrict = {"workers": [workers[index]]} if workers else {}
        futures.append(
            client.submit(scan_shard, list(shard), postmortem, list(scan_args), pure=False, key=f"postmortem-scan-{index}", **restrict)
        )
    return client.gather(futures)


def write_partials(partials: Iterable[bytes], directory: str) -> list[str]:
    """Writes the partials into `directory` as shard-00000.pmscan, …; their paths."""
    os.makedirs(directory, exist_ok=True)
    paths = []
    for index, partial in enumerate(partials):
        path = os.path.join(directory, f"shard-{index:05}.pmscan")
        with open(path, "wb") as out:
            out.write(partial)
        paths.append(path)
    return paths


def draft(partial_paths: Sequence[str], postmortem: str, draft_args: Sequence[str]) -> subprocess.CompletedProcess:
    """Runs `postmortem draft` over the partials, here."""
    return subprocess.run([postmortem, "draft", *draft_args, "--", *partial_paths], capture_output=True)


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--scheduler", help="the address of a Dask scheduler (tcp://host:8786)")
    where.add_argument("--local", type=int, metavar="N", help="start a local cluster of N workers")
    parser.add_argument("--shard", action="append", required=True, metavar="PATHS",
                        help="one shard: a directory or file, or several joined by commas (repeatable)")
    parser.add_argument("--partials", metavar="DIR", help="keep the partials here (default: a temporary directory)")
    parser.add_argument("--postmortem", default="postmortem", help="the postmortem binary (on the workers and here)")
    parser.add_argument("--scan-arg", action="append", default=[], metavar="ARG",
                        help="an argument for each `postmortem scan` (repeatable: --scan-arg=--tz --scan-arg=UTC)")
    parser.add_argument("draft_args", nargs="*", help="after --: the arguments of `postmortem draft` (--tz, --output …)")
    args = parser.parse_args(argv)

    from distributed import Client, LocalCluster

    shards = [shard.split(",") for shard in args.shard]
    if args.local:
        cluster = LocalCluster(n_workers=args.local, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    else:
        cluster = None
        client = Client(args.scheduler)
    try:
        partials = scan_shards(client, shards, args.postmortem, args.scan_arg)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    with tempfile.TemporaryDirectory(prefix="postmortem-partials-") as tmp:
        paths = write_partials(partials, args.partials or tmp)
        done = draft(paths, args.postmortem, args.draft_args)
    sys.stdout.buffer.write(done.stdout)
    sys.stderr.buffer.write(done.stderr)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
