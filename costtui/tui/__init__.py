"""The Textual app: screens, widgets, messages and the command palette."""
