Attribute VB_Name = "Buttons"
' bhyt-xl: the macros behind the buttons of BHYT_RaSoat.xlsm.
'
' Each button runs one function of the Python module bhyt_xl.excel.macros
' through xlwings' RunPython. All rules, checks and Vietnamese messages live
' in Python; this module only starts them. Keep it ASCII-only: VBA source is
' stored in code page 1252 and cannot hold Vietnamese text.
'
' The workbook builder (bhyt_xl/build/workbook.py) checks at build time that
' every button names a Sub here and that every RunPython command names a
' function of bhyt_xl.excel.macros.
Option Explicit

Private Const TITLE As String = "BHYT - Ra soat the"

' --- Buttons on the sheet "Danh sach the" -----------------------------------

Public Sub KiemTraDuLieu()
    On Error GoTo Failed
    If Not InterpreterFound() Then Exit Sub
    RunPython "import bhyt_xl.excel.macros as m; m.check_data()"
    Exit Sub
Failed:
    ReportError "KiemTraDuLieu"
End Sub

Public Sub RaSoatTheTrung()
    On Error GoTo Failed
    If Not InterpreterFound() Then Exit Sub
    RunPython "import bhyt_xl.excel.macros as m; m.run_review()"
    Exit Sub
Failed:
    ReportError "RaSoatTheTrung"
End Sub

Public Sub XoaKetQua()
    On Error GoTo Failed
    If Not InterpreterFound() Then Exit Sub
    RunPython "import bhyt_xl.excel.macros as m; m.clear_results()"
    Exit Sub
Failed:
    ReportError "XoaKetQua"
End Sub

' Continuity, increases/decreases and reports (Cong van 1006/BHXH-CST, reports of CV 493).

Public Sub Tinh5NamLienTuc()
    On Error GoTo Failed
    If Not InterpreterFound() Then Exit Sub
    RunPython "import bhyt_xl.excel.macros as m; m.run_continuity()"
    Exit Sub
Failed:
    ReportError "Tinh5NamLienTuc"
End Sub

Public Sub ApDungTangGiam()
    On Error GoTo Failed
    If Not InterpreterFound() Then Exit Sub
    RunPython "import bhyt_xl.excel.macros as m; m.apply_changes()"
    Exit Sub
Failed:
    ReportError "ApDungTangGiam"
End Sub

Public Sub LapBaoCao()
    On Error GoTo Failed
    If Not InterpreterFound() Then Exit Sub
    RunPython "import bhyt_xl.excel.macros as m; m.make_reports()"
    Exit Sub
Failed:
    ReportError "LapBaoCao"
End Sub

' --- Button on the sheet "Huong dan" ----------------------------------------

Public Sub KiemTraCaiDat()
    On Error GoTo Failed
    If Not InterpreterFound() Then Exit Sub
    RunPython "import bhyt_xl.excel.macros as m; m.check_setup()"
    Exit Sub
Failed:
    ReportError "KiemTraCaiDat"
End Sub

' --- Helpers -----------------------------------------------------------------

Private Function InterpreterFound() As Boolean
    ' Python cannot report that Python is missing: say where xlwings looked.
    Dim interpreter As String
#If Mac Then
    InterpreterFound = True
#Else
    interpreter = GetConfig("INTERPRETER_WIN", "")
    If interpreter = "" Or LCase$(interpreter) = "python" Or LCase$(interpreter) = "pythonw" Then
        InterpreterFound = True
    ElseIf FileExists(interpreter) Then
        InterpreterFound = True
    Else
        InterpreterFound = False
        MsgBox "Khong tim thay Python tai:" & vbCrLf & interpreter & vbCrLf & vbCrLf & _
               "Hay cai Python va goi bhyt-xl theo huong dan (README), hoac sua o B1" & vbCrLf & _
               "(Interpreter_Win) cua sheet xlwings.conf cho dung duong dan python.exe." & vbCrLf & _
               "Xem sheet Huong dan, muc Loi thuong gap." & vbCrLf & vbCrLf & _
               "(xlwings trong tep nay: " & XLWINGS_VERSION & ")", vbExclamation, TITLE
    End If
#End If
End Function

Private Sub ReportError(ByVal macroName As String)
    MsgBox "Loi khi chay nut (" & macroName & "):" & vbCrLf & Err.Description & _
           vbCrLf & "(Ma loi VBA " & Err.Number & ")", vbCritical, TITLE
End Sub
