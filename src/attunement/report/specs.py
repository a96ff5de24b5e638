"""What the report command shows before anything is drawn (no numpy, no matplotlib)."""

TOP_DEFAULT = 10
"""A corpus report draws a section for each of the N busiest recordings."""
