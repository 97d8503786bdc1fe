"""Stage 1, reading: the data file, the settings of the workspace and region, the catalogues, the built-in resources."""
