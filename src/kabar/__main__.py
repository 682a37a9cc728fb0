"""``python -m kabar`` runs the command line."""

import sys

from kabar.cli import main

sys.exit(main())
