"""``python -m nnbasics <command>``: the course's command line.

Each command lives in its own module exposing ``add_arguments(parser)`` and
``run(args) -> int``; commands whose module is absent are simply not offered.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys

COMMANDS = {
    "grade": ("nnbasics.course.grading", "grade your exercises: python -m nnbasics grade 01 (or all)"),
    "doctor": ("nnbasics.course.doctor", "check that the environment can run the course"),
    "bench": ("nnbasics.course.bench", "measure notebook times, memory and widget speed"),
    "grade-class": ("nnbasics.course.classroom", "grade a folder of learners' submissions"),
    "dist": ("nnbasics.course.dist", "build the student edition (no solutions)"),
    "progress": ("nnbasics.course.progress", "show your exercise points and quiz scores (--reset)"),
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nnbasics", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    available = {}
    for name, (module, help_text) in COMMANDS.items():
        if importlib.util.find_spec(module) is None:
            continue
        p = sub.add_parser(name, help=help_text, description=help_text)
        mod = importlib.import_module(module)
        mod.add_arguments(p)
        available[name] = mod
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    return int(available[args.command].run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
