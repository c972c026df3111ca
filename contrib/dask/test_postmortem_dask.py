#!/usr/bin/env python3
"""The Dask runner on two local workers gives the draft of one run over every file.

Run by .ci/run: `python3 contrib/dask/test_postmortem_dask.py target/debug/postmortem`.
Each shipped scenario's files are split into two shards (every other file), scanned on a
`distributed.LocalCluster` of two worker processes, and drafted from the partials; the
Markdown and the JSON must be those of `postmortem draft` over all the files.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import postmortem_dask  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def files_of(directory: str) -> list[str]:
    return sorted(os.path.join(directory, name) for name in os.listdir(directory) if not name.startswith("."))


def main(postmortem: str) -> int:
    from distributed import Client, LocalCluster

    postmortem = os.path.abspath(postmortem)
    scenarios = sorted(os.path.join(ROOT, "fixtures/scenarios", name, "logs") for name in os.listdir(os.path.join(ROOT, "fixtures/scenarios")))
    failed = 0
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2, "two workers"
        for scenario in scenarios:
            files = files_of(scenario)
            shards = [files[0::2], files[1::2]]
            # No --tz: a shard without the files that carry offsets reads naive times in
            # this machine's zone, and the merge moves them.
            partials = postmortem_dask.scan_shards(client, shards, postmortem, [])
            for form in ("markdown", "json"):
                draft_args = ["--format", form, "--mermaid", "never", "-q"]
                one_run = subprocess.run([postmortem, "draft", *draft_args, "--", *files], capture_output=True)
                with tempfile.TemporaryDirectory() as tmp:
                    paths = postmortem_dask.write_partials(partials, tmp)
                    merged = postmortem_dask.draft(paths, postmortem, draft_args)
                drafted = one_run.returncode == 0 and (b"## " in one_run.stdout or b'"incident"' in one_run.stdout)
                same = drafted and (one_run.returncode, one_run.stdout) == (merged.returncode, merged.stdout)
                print(f"{'ok  ' if same else 'FAIL'} {os.path.basename(os.path.dirname(scenario))} ({form}): {len(files)} files in 2 shards on 2 workers")
                if not same:
                    failed += 1
                    sys.stderr.write(merged.stderr.decode(errors="replace"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "postmortem"))
