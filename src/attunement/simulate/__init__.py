"""Simulated recordings that emit the same segments tables as the readers."""
