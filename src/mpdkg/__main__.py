"""Allow ``python -m mpdkg``."""

from mpdkg.cli.core import main

if __name__ == "__main__":
    main()
