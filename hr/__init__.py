"""hr: competence, supervision and work environment for a region's social services."""

import os

# Piccolo finds its configuration through this variable; keeping it inside the
# package lets every entry point (web, CLI, scheduler, tests) agree on it.
os.environ.setdefault("PICCOLO_CONF", "hr.piccolo_conf")
