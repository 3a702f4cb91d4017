"""The review desk: a local web app to read, correct and approve a run, saved as you go."""
