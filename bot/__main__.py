"""`python -m bot` is the same as the `memo-coach` command."""

from bot.cli import main

raise SystemExit(main())
