"""Measures: pure functions of segments tables. Each returns a result that names its rule, every
parameter it used and the literature source of its definition."""
