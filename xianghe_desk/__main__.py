"""Entry point for ``python -m xianghe_desk``."""

import sys

from xianghe_desk.cli import main

if __name__ == "__main__":
    sys.exit(main())
