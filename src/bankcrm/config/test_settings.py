"""Settings for the test suite: ``BANKCRM_ENV=test`` and a separate ``var/test`` directory, so
tests never touch the demo database or its keys."""

import os
from pathlib import Path

os.environ.setdefault("BANKCRM_ENV", "test")
os.environ.setdefault("BANKCRM_VAR_DIR", str(Path.cwd() / "var" / "test"))

from bankcrm.config.settings import *  # noqa: F403
