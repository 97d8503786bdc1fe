"""`budgetreport serve`: a local web page over the workspace that follows the files as they
are edited (`preview` keeps every center's check and rendering, `server` answers HTTP)."""
