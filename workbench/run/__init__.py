"""One run: find and prepare articles, translate what the cache lacks, write the outputs."""
