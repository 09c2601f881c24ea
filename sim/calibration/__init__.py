"""Calibration from the analysts' views: cited claims, priors, seed targets, a fitted posterior."""
