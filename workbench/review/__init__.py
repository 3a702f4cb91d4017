"""What reviewers send back (corrections, proposed terms, CAT files) into the cache."""
