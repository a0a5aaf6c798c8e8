"""``python -m gitops_action``."""

import sys

from .cli import main

sys.exit(main())
