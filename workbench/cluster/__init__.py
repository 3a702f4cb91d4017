"""Runs on a Ray cluster: the data path on the workers, the driver planning and merging."""
