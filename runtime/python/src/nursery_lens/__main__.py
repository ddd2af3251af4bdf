"""``python -m nursery_lens``: see :mod:`nursery_lens._cli`."""

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
