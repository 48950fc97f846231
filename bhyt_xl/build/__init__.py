"""Build-time tools: the VBA project (``vbaProject.bin``) and the xlwings UDF module."""
