"""costtui: browse Anthropic API spending from the terminal."""

__version__ = "0.1.0"
