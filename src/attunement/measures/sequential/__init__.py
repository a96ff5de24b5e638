"""Sequential analysis: lag-sequential tables, structural zeros and permutation nulls."""
