"""The command line: thin wrappers around the stages, and the commands that are not the pipeline (new, diff)."""
