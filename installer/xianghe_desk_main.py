"""Entry script of the frozen build: the same ``main()`` as the ``xianghe-desk`` command (installer/)."""

import sys

from xianghe_desk.cli import main

if __name__ == "__main__":
    sys.exit(main())
