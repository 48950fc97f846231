"""The Excel shell: what the buttons and cell formulas of ``BHYT_RaSoat.xlsm`` call.

- ``bhyt_xl.excel.macros``: one function per button. Each VBA Sub of
  ``vba/Buttons.bas`` runs ``RunPython "import bhyt_xl.excel.macros as m; m.<function>()"``:
  ``check_data``, ``run_review``, ``clear_results``, ``check_setup`` (placed now) and
  ``run_continuity``, ``apply_changes``, ``make_reports`` (Subs ready, buttons later).
  Like the CLI, a macro reads the sheets, calls the engine and writes result
  sheets; it shows the Vietnamese messages (VBA holds ASCII only).
- ``bhyt_xl.excel.udfs``: the ``@xw.func`` cell functions (BHYT_SOTHANG, ...), named
  in the workbook's ``xlwings.conf`` sheet (``UDF Modules``). Their VBA wrappers
  (``xlwings_udfs``) are generated at build time, so staff never click "Import Functions".

The workbook itself is built by :mod:`bhyt_xl.build.workbook`, which checks at
build time that every RunPython command names a function of ``macros`` and that
the guide documents exactly the functions of ``udfs``.
"""
