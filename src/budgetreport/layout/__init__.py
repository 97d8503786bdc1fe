"""Stage 4, laying out: the 附表, their printed sums, the HTML of the document, fonts."""
