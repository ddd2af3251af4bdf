"""``python -m nursery_lens``: see :mod:`nursery_lens._core.cli`."""

import sys

from ._core.cli import main

if __name__ == "__main__":
    sys.exit(main())
