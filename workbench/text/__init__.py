"""The text stages, one module each, in pipeline order.

read (``reader``) -> ``normalize`` -> ``detect`` the language -> ``labels`` (with ``cues``)
-> ``duplicates`` -> ``segment`` -> per-segment language. ``prepare`` composes them for one
article, before any translation.
"""
