"""Stage 2, checking:
the data against the model, the accounting identities and content rules, hints for sums that disagree.
"""
