"""Tests of costtui/tui, mirroring its layer."""
