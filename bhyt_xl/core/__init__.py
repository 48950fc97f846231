"""The pure core: pandas in, pandas out. No files, no Excel, no CLI here."""
