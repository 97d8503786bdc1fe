"""Stage 5, publishing: the PDF, the workbook, the build of one center and of many."""
