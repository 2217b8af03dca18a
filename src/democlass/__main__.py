"""``python -m democlass``: the same as the ``democlass`` command."""

import sys

from democlass.cli import main

sys.exit(main())
