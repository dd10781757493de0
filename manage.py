#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workshop.settings")
    from django.core.management import execute_from_command_line

    from workshop.env import SettingError

    try:
        execute_from_command_line(sys.argv)
    except SettingError as error:
        # A setting to fix, not a bug: its message says what to write, a traceback would hide it.
        sys.exit(f"Refusing to start, a setting needs fixing. {error}")


if __name__ == "__main__":
    main()
