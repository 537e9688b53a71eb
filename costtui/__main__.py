"""Run costtui as `python -m costtui`."""

from costtui.cli.main import main

raise SystemExit(main())
