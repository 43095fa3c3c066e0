#!/usr/bin/env python
"""Django's command-line utility for the knowledge hub."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.base")
    from hub.startup import run_management_command

    run_management_command(sys.argv)


if __name__ == "__main__":
    main()
