"""Tests of costtui/cli, mirroring its layer."""
