"""The result workbook opens in a real spreadsheet program (LibreOffice headless).

.ci/run installs LibreOffice; in CI (CI=true) a missing soffice is a failure, not a skip.
"""

import os
import shutil
import subprocess

import pytest

from bhyt_xl.cli import main

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

needs_soffice = pytest.mark.skipif(
    SOFFICE is None and os.environ.get("CI") != "true", reason="LibreOffice not installed (CI installs it)"
)


def convert(path, fmt, outdir):
    assert SOFFICE, "LibreOffice (soffice) must be installed in CI"
    profile = outdir / "lo-profile"
    r = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt, "--outdir",
         str(outdir), str(path)],
        capture_output=True, text=True, timeout=180,
    )
    assert r.returncode == 0, r.stderr
    out = outdir / (path.stem + "." + fmt.split(":")[0])
    assert out.exists(), r.stdout + r.stderr
    return out


@needs_soffice
def test_result_workbook_opens_in_libreoffice(tmp_path):
    sample = os.path.join(os.path.dirname(__file__), "..", "bhyt_xl", "samples", "danh_sach_the_khanh_hoa.xlsx")
    out = tmp_path / "ket_qua.xlsx"
    assert main(["review", sample, "-o", str(out), "--from", "01/01/2011", "--to", "31/12/2012"]) == 0
    csv = convert(out, "csv:Text - txt - csv (StarCalc):44,34,76,1", tmp_path)
    text = csv.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert "Kết luận" in first and "Khóa nhận diện" in first
    assert text.count("Cấp trùng") >= 14
    pdf = convert(out, "pdf", tmp_path)
    assert pdf.stat().st_size > 10_000
    if shutil.which("pdftotext"):
        pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        assert "Pages:" in pages and int(pages.split("Pages:")[1].split()[0]) >= 1
