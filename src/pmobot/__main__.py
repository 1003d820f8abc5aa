import sys

from pmobot.cli import main

sys.exit(main())
