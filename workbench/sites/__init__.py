"""Site rules: label fixes a reviewer makes once, kept per site in ``labels/``, run after run."""
