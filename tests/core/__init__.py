"""Tests of costtui/core, mirroring its layer."""
