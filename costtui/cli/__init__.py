"""The command line: argument parsing and the report, key, cache and TUI commands."""
