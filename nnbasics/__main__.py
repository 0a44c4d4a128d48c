"""``python -m nnbasics``: see :mod:`nnbasics.course.cli`."""

import sys

from nnbasics.course.cli import main

if __name__ == "__main__":
    sys.exit(main())
