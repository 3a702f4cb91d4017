"""Argos packages: read, verify, install and list them, from a file or the package index."""
