"""Tests of costtui/data, mirroring its layer."""
