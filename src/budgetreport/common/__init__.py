"""Shared by every stage:
problems and their wording, money, safe file writing, names, terminal widths, the error path.
"""
