"""Reports: figures and documents built from measure results. They hold no science."""
