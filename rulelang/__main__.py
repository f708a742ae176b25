"""``python -m rulelang``: the same command line as the ``rulelang`` script."""

import sys

from rulelang.cli import main

if __name__ == "__main__":
    sys.exit(main())
