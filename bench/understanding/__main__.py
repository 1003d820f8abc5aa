"""`python -m bench.understanding`: score both sets, print them, update bench/RESULTS.md.

``--misses`` lists the dev sentences and fields that went wrong (to tune on).
The held-out and blind misses are only listed when asked by name: looking at
them while tuning would make their figures meaningless (a set tuned on its
misses is a dev set: rename it, as ``dev2`` to ``dev9`` were, in ``SETS``).
``--record-baseline`` keeps today's figures as the baseline shown beside them.
"""

from __future__ import annotations

import argparse
import json
import sys

from bench.results import update_section
from bench.understanding import (
    ALL_SETS,
    BASELINE,
    available_sets,
    describe_misses,
    figures,
    load,
    reader_for,
    score,
    section,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.understanding", description=__doc__.splitlines()[0])
    parser.add_argument("--misses", nargs="?", const="dev", choices=ALL_SETS,
                        help="list the fields gone wrong in a set")
    parser.add_argument("--record-baseline", action="store_true", help="keep these figures as the baseline")
    parser.add_argument("--no-write", action="store_true", help="do not touch bench/RESULTS.md")
    args = parser.parse_args(argv)

    scores = {name: score(load(name), reader_for(name)) for name in available_sets()}
    if args.record_baseline:
        BASELINE.write_text(json.dumps({name: figures(s) for name, s in scores.items()}, indent=2) + "\n",
                            encoding="utf-8")
    text = section(scores)
    if not args.no_write:
        update_section(text)
    sys.stdout.write(text + "\n")
    if args.misses in scores:
        sys.stdout.write(f"\nMisses in {args.misses}:\n" + describe_misses(scores[args.misses]) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
