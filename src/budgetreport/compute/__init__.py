"""Stage 3, computing: every figure the document shows, from a validated budget."""
