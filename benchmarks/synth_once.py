"""One measured process: build and synthesize one benchmark app.

``python -m benchmarks.synth_once KIND JOBS OUTDIR``. The parent times the whole process, from
start to exit, as ``cdk synth`` would wait for it: imports, jsii's Node.js start, constructs and
synthesis.
"""

from __future__ import annotations

import sys

from benchmarks.stacks import build_app


def main(argv: list[str]) -> None:
    kind, jobs, outdir = argv
    build_app(kind, int(jobs), outdir).synth()


if __name__ == "__main__":
    main(sys.argv[1:])
