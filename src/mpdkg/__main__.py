"""Allow ``python -m mpdkg``."""

from mpdkg.cli import main

if __name__ == "__main__":
    main()
