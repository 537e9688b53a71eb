"""Reusable widgets and renderables of the costtui app."""
