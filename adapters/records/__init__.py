"""Correspondence, campaigns and pledges: models and repositories."""
