"""Tests for the VBA project builder (bhyt_xl.build.vba_project) and the xlwings UDF module.

Cross-checks use independent readers: oletools (decompress_stream, VBA_Parser),
olefile in strict mode, XlsxWriter/openpyxl, and the Excel-tested
``quickstart_standalone.xlsm`` that ships with xlwings.
"""

from __future__ import annotations

import importlib
import io
import math
import random
import re
import struct
import sys
import zipfile
from pathlib import Path

import olefile
import openpyxl
import pytest
import xlsxwriter
import xlwings as xw
from hypothesis import given, settings
from hypothesis import strategies as st
from oletools.olevba import VBA_Parser, decompress_stream

from bhyt_xl.build.udf_module import embedded_xlwings_version, generate_udf_module, xlwings_vba_sources
from bhyt_xl.build.vba_project import (
    VbaModule,
    build_vba_project,
    compress,
    decompress,
    module_text,
    write_compound_file,
)

# ---------------------------------------------------------------------------
# Fixtures and helpers
# ---------------------------------------------------------------------------
UDF_MODULE = "bhyt_test_demo_udfs"
UDF_SOURCE = '''
import xlwings as xw


@xw.func
def greet(name):
    return "Hello " + name


@xw.func
@xw.arg("cells", "range")
def count_filled(cells):
    return sum(1 for v in cells.value if v not in (None, ""))
'''
BAD_UDF_MODULE = "bhyt_test_bad_udfs"
BAD_UDF_SOURCE = '''
import xlwings as xw


@xw.func
def double(x):
    return 2 * x
'''

BUTTONS = (
    'Attribute VB_Name = "Buttons"\n'
    "Option Explicit\n"
    "\n"
    'Sub RunReview(): RunPython "import bhyt_xl.excel.macros as m; m.run_review()": End Sub\n'
    "\n"
    "Public Sub RunContinuity()\n"
    '    RunPython "import bhyt_xl.excel.macros as m; m.run_continuity()"\n'
    "End Sub\n"
)
THIS_WORKBOOK = (
    "VERSION 1.0 CLASS\r\n"
    "BEGIN\r\n"
    "  MultiUse = -1  'True\r\n"
    "END\r\n"
    'Attribute VB_Name = "ThisWorkbook"\r\n'
    'Attribute VB_Base = "0{00020819-0000-0000-C000-000000000046}"\r\n'
    "Attribute VB_PredeclaredId = True\r\n"
    "Option Explicit\r\n"
    "\r\n"
    "Private Sub Workbook_Open()\r\n"
    '    Application.StatusBar = "ready"\r\n'
    "End Sub\r\n"
)
SHEET2 = "Private Sub Worksheet_Activate()\n    Me.Range(\"A1\").Select\nEnd Sub\n"

WORKBOOK_BASE = 'Attribute VB_Base = "0{00020819-0000-0000-C000-000000000046}"'
SHEET_BASE = 'Attribute VB_Base = "0{00020820-0000-0000-C000-000000000046}"'
CLASS_BASE = 'Attribute VB_Base = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"'
QUICKSTART = Path(xw.__file__).parent / "quickstart_standalone.xlsm"


def _lines(text: str) -> list[str]:
    return re.split(r"\r\n|\r|\n", text.rstrip("\r\n")) if text.strip() else []


def _body(text: str) -> list[str]:
    """Source lines without a .cls VERSION/BEGIN..END block and without the leading Attribute lines."""
    lines = _lines(text)
    if lines and lines[0].startswith("VERSION "):
        lines = lines[lines.index("END") + 1 :]
    while lines and lines[0].startswith("Attribute VB_"):
        lines = lines[1:]
    return lines


def _header(text: str) -> list[str]:
    return [line for line in _lines(text)[:12] if line.startswith("Attribute VB_")]


def _extract(path_or_data: Path | bytes) -> dict[str, str]:
    """Module name -> source, as olevba reads them."""
    if isinstance(path_or_data, bytes):
        parser = VBA_Parser("vbaProject.bin", data=path_or_data)
    else:
        parser = VBA_Parser(str(path_or_data))
    try:
        return {
            Path(vba_filename).stem: code if isinstance(code, str) else code.decode("cp1252")
            for _, _, vba_filename, code in parser.extract_macros()
        }
    finally:
        parser.close()


def _dir_records(data: bytes) -> list[tuple[int, bytes]]:
    """Walk the dir stream's (Id, Size, payload) records; PROJECTVERSION has a fixed 6-byte body."""
    records, i = [], 0
    while i < len(data):
        rid, size = struct.unpack_from("<HI", data, i)
        size = 6 if rid == 0x09 else size
        records.append((rid, data[i + 6 : i + 6 + size]))
        i += 6 + size
    assert i == len(data)
    return records


def _decrypt(hex_text: str) -> tuple[int, int, bytes]:
    """Data Decryption per MS-OVBA 2.4.3.3: returns (version, project key, data)."""
    enc = bytes.fromhex(hex_text)
    seed, version_enc, proj_key_enc = enc[:3]
    unencrypted_1, encrypted_1, encrypted_2 = seed ^ proj_key_enc, proj_key_enc, version_enc
    plain = bytearray()
    for byte_enc in enc[3:]:
        byte = byte_enc ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        plain.append(byte)
        encrypted_2, encrypted_1, unencrypted_1 = encrypted_1, byte_enc, byte
    ignored = (seed & 6) // 2
    (length,) = struct.unpack_from("<I", plain, ignored)
    data = bytes(plain[ignored + 4 :])
    assert len(data) == length
    return seed ^ version_enc, seed ^ proj_key_enc, data


def _project_properties(project: bytes) -> dict[str, str]:
    text = project.decode("cp1252")
    return dict(re.findall(r'^(ID|CMG|DPB|GC)="([^"]*)"\r$', text, re.MULTILINE))


@pytest.fixture(scope="module")
def udf_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("udfs")
    (folder / f"{UDF_MODULE}.py").write_text(UDF_SOURCE, encoding="utf-8")
    (folder / f"{BAD_UDF_MODULE}.py").write_text(BAD_UDF_SOURCE, encoding="utf-8")
    sys.path.insert(0, str(folder))
    yield folder
    sys.path.remove(str(folder))
    for name in (UDF_MODULE, BAD_UDF_MODULE):
        sys.modules.pop(name, None)


@pytest.fixture(scope="module")
def udf_text(udf_folder) -> str:
    return generate_udf_module(UDF_MODULE, "BHYT.xlsm")


@pytest.fixture(scope="module")
def modules(udf_text) -> list[VbaModule]:
    return [
        VbaModule("ThisWorkbook", "document", THIS_WORKBOOK),
        VbaModule("Sheet1", "document", ""),
        VbaModule("Sheet2", "document", SHEET2),
        VbaModule("Buttons", "standard", BUTTONS),
        *xlwings_vba_sources(),
        VbaModule("xlwings_udfs", "standard", udf_text),
    ]


@pytest.fixture(scope="module")
def project(modules) -> bytes:
    return build_vba_project(modules)


@pytest.fixture(scope="module")
def ole(project):
    with olefile.OleFileIO(project, raise_defects=olefile.DEFECT_INCORRECT) as ole:
        yield ole


# ---------------------------------------------------------------------------
# MS-OVBA 2.4.1 compression
# ---------------------------------------------------------------------------
_RNG = random.Random(1252)
ROUND_TRIP_CASES = {
    "empty": b"",
    "one byte": b"x",
    "two bytes": b"ab",
    "run of 10000": b"\x00" * 10_000,
    "run of a, 4096": b"a" * 4096,
    "run of a, 4097": b"a" * 4097,
    "abc repeated": b"abc" * 3000,
    "all bytes": bytes(range(256)) * 40,
    "random 4096 (raw chunk)": _RNG.randbytes(4096),
    "random 3900 (short raw chunk)": _RNG.randbytes(3900),
    "random 9000": _RNG.randbytes(9000),
    "vba text": module_text(xlwings_vba_sources()[0]).encode("cp1252"),
}


@pytest.mark.parametrize("data", ROUND_TRIP_CASES.values(), ids=ROUND_TRIP_CASES.keys())
def test_compress_round_trip(data):
    packed = compress(data)
    assert decompress(packed) == data
    assert bytes(decompress_stream(bytearray(packed))) == data


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=9000))
def test_compress_round_trip_random_bytes(data):
    packed = compress(data)
    assert decompress(packed) == data
    assert bytes(decompress_stream(bytearray(packed))) == data


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from([b"a", b"ab", b"    ", b"\r\n", b"End Sub", b"\x00", b"\xff"]), max_size=3000))
def test_compress_round_trip_repetitive_text(pieces):
    data = b"".join(pieces)
    packed = compress(data)
    assert decompress(packed) == data
    assert bytes(decompress_stream(bytearray(packed))) == data


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # MS-OVBA 3.2.1 and 3.2.3, byte for byte.
        (b"abcdefghijklmnopqrstuv.", "01 19 B0 00 61 62 63 64 65 66 67 68 00 69 6A 6B 6C 6D 6E 6F 70 00 71 72 73 74 75 76 2E"),
        (b"a" * 73, "01 03 B0 02 61 45 00"),
        # MS-OVBA 3.2.2 as the pseudo-code of 2.4.1.3.19.4 produces it (closest candidate on ties);
        # the bytes printed in 3.2.2 pick other, equally valid copy tokens (checked below).
        (
            b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa",
            "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 20 6D 6E 6F "
            "70 06 71 02 70 04 00 72 73 74 75 76 10 77 78 79 7A 00 2C",
        ),
    ],
)
def test_compress_spec_examples(text, expected):
    assert compress(text) == bytes.fromhex(expected)


def test_decompress_spec_printed_example():
    printed = bytes.fromhex(
        "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 30 6D 6E 6F "
        "70 06 71 02 70 04 10 72 73 74 75 76 10 77 78 79 7A 00 3C"
    )
    assert decompress(printed) == b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"


def test_compress_really_compresses():
    assert len(compress(b"a" * 10_000)) < 40
    text = ROUND_TRIP_CASES["vba text"]
    assert len(compress(text)) < len(text) // 2


NO_REPEATS_3600 = b"".join(struct.pack(">H", i) for i in range(1800))  # no 3-byte sequence occurs twice


@pytest.mark.parametrize(
    ("data", "header", "size"),
    [
        (NO_REPEATS_3600, 0xB000 | (3600 + 450 - 1), 1 + 2 + 3600 + 450),  # 450 flag bytes still fit in 4096
        (ROUND_TRIP_CASES["random 4096 (raw chunk)"], 0x3FFF, 1 + 2 + 4096),
        (ROUND_TRIP_CASES["random 3900 (short raw chunk)"], 0x3FFF, 1 + 2 + 3900),  # final raw chunk, unpadded
    ],
)
def test_chunk_kind(data, header, size):
    packed = compress(data)
    assert struct.unpack_from("<H", packed, 1)[0] == header
    assert len(packed) == size


def test_copy_token_length_cap():
    """A long run is cut at each position's MaximumLength (MS-OVBA 2.4.1.3.19.1)."""
    prefix = bytes(range(17))
    data = prefix + b"\xff" * 4079
    pos, tokens = len(prefix) + 1, 0
    while pos < len(data):
        bit_count = max(math.ceil(math.log2(pos)), 4)
        pos += min(len(data) - pos, (0xFFFF >> bit_count) + 3)
        tokens += 1
    literals = len(prefix) + 1
    flag_bytes = math.ceil((literals + tokens) / 8)
    assert len(compress(data)) == 1 + 2 + flag_bytes + literals + 2 * tokens


@pytest.mark.parametrize("bad", [b"", b"\x02abc", b"\x01\x00\x00", b"\x01\x05\xb0\x01\x05\x00"])
def test_decompress_rejects_garbage(bad):
    with pytest.raises(ValueError):
        decompress(bad)


# ---------------------------------------------------------------------------
# MS-CFB compound file
# ---------------------------------------------------------------------------
def _check_red_black(ole: olefile.OleFileIO, root_sid: int) -> int:
    """Check one sibling tree (order, colours, black height) and return its size."""
    entries = ole.direntries
    assert entries[root_sid].color == 1, "root of a sibling tree must be black"

    def key(sid):
        name = entries[sid].name
        return len(name), name.upper()

    def walk(sid, low, high):
        if sid == olefile.NOSTREAM:
            return 1, 0
        node = entries[sid]
        assert (low is None or key(low) < key(sid)) and (high is None or key(sid) < key(high))
        for child in (node.sid_left, node.sid_right):
            if node.color == 0 and child != olefile.NOSTREAM:
                assert entries[child].color == 1, "red node with a red child"
        left_black, left_n = walk(node.sid_left, low, sid)
        right_black, right_n = walk(node.sid_right, sid, high)
        assert left_black == right_black, "unequal black heights"
        return left_black + node.color, left_n + right_n + 1

    return walk(root_sid, None, None)[1]


def test_compound_file_streams_of_all_sizes():
    sizes = [0, 1, 63, 64, 65, 4095, 4096, 4097, 100_000]
    streams = {f"S/s{size}": bytes((size + i) % 251 for i in range(size)) for size in sizes}
    streams.update({f"T/U/t{i}": bytes([i]) * (i * 700) for i in range(1, 9)})
    data = write_compound_file(streams)
    assert len(data) % 512 == 0
    assert olefile.isOleFile(data=data)
    with olefile.OleFileIO(data, raise_defects=olefile.DEFECT_INCORRECT) as ole:
        assert sorted("/".join(p) for p in ole.listdir()) == sorted(streams)
        for path, content in streams.items():
            assert ole.openstream(path).read() == content
        storages = [e for e in ole.direntries if e is not None and e.entry_type in (1, 5)]
        for storage in storages:
            assert _check_red_black(ole, storage.sid_child) == len(storage.kids)


def test_compound_file_size_limit():
    with olefile.OleFileIO(write_compound_file({"big": bytes(7_000_000)})) as ole:
        assert ole.get_size("big") == 7_000_000
    with pytest.raises(ValueError, match="too large"):
        write_compound_file({"big": bytes(7_300_000)})


@pytest.mark.parametrize(
    "streams", [{"a/b": b"1", "A/B": b"2"}, {"x": b"1", "x/y": b"2"}, {"n" * 32: b""}, {"a:b": b""}]
)
def test_compound_file_rejects_bad_names(streams):
    with pytest.raises(ValueError):
        write_compound_file(streams)


# ---------------------------------------------------------------------------
# The VBA project
# ---------------------------------------------------------------------------
def test_project_is_a_strict_ole_file(project, ole, modules):
    assert olefile.isOleFile(data=project)
    names = {"/".join(p) for p in ole.listdir()}
    assert names == {"PROJECT", "PROJECTwm", "VBA/_VBA_PROJECT", "VBA/dir"} | {f"VBA/{m.name}" for m in modules}
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("CC61FFFF000300")
    sizes = [ole.get_size(name) for name in names]
    assert min(sizes) < 4096 <= max(sizes), "expected both mini-stream and regular-sector streams"
    for storage in (e for e in ole.direntries if e is not None and e.entry_type in (1, 5)):
        assert _check_red_black(ole, storage.sid_child) == len(storage.kids)


def test_olevba_reads_every_module(project, modules):
    extracted = _extract(project)
    assert set(extracted) == {m.name for m in modules}
    for module in modules:
        assert _body(extracted[module.name]) == _body(module.source), module.name
        assert _lines(extracted[module.name])[0] == f'Attribute VB_Name = "{module.name}"'


def test_embedded_xlwings_module_is_the_package_file(project):
    package_file = Path(xw.__file__).parent / "xlwings.bas"
    assert _extract(project)["xlwings"] == package_file.read_bytes().decode("cp1252")  # byte for byte, CRLF


def test_module_text_normalises_lines_and_name():
    source = 'Attribute VB_Name = "OldName"\nSub A()\rEnd Sub\n'
    assert module_text(VbaModule("Buttons", "standard", source)) == 'Attribute VB_Name = "Buttons"\r\nSub A()\r\nEnd Sub\r\n'
    assert module_text(VbaModule("Buttons", "standard", "Sub A()\r\nEnd Sub")) == (
        'Attribute VB_Name = "Buttons"\r\nSub A()\r\nEnd Sub\r\n'
    )


def test_attribute_headers(project):
    extracted = _extract(project)
    this_workbook = _header(extracted["ThisWorkbook"])
    assert this_workbook[1] == WORKBOOK_BASE and len(this_workbook) == 8
    assert _header(extracted["Sheet1"])[1] == SHEET_BASE
    assert "Attribute VB_PredeclaredId = True" in _header(extracted["Sheet2"])
    dictionary = _header(extracted["Dictionary"])
    assert dictionary[1] == CLASS_BASE
    assert "Attribute VB_Exposed = True" in dictionary  # kept from Dictionary.cls (default is False)
    assert dictionary[-1].startswith('Attribute VB_Description = "Drop-in replacement')
    assert _header(extracted["Buttons"]) == ['Attribute VB_Name = "Buttons"']


def test_dir_stream(ole, modules):
    records = _dir_records(decompress(ole.openstream("VBA/dir").read()))
    by_id = {}
    for rid, payload in records:
        by_id.setdefault(rid, []).append(payload)
    assert by_id[0x03] == [struct.pack("<H", 1252)]
    assert by_id[0x04] == [b"VBAProject"]
    assert by_id[0x16] == [b"stdole", b"Office"]
    assert by_id[0x0F] == [struct.pack("<H", len(modules))]
    assert by_id[0x19] == [m.name.encode() for m in modules]
    assert by_id[0x31] == [bytes(4)] * len(modules), "source-only modules have MODULEOFFSET 0"
    kinds = [rid for rid, _ in records if rid in (0x21, 0x22)]
    assert kinds == [0x21 if m.kind == "standard" else 0x22 for m in modules]
    assert records[-1] == (0x10, b"")


def test_dir_record_layout_matches_xlwings_quickstart(ole):
    """Same record sequence as the Excel-tested quickstart_standalone.xlsm, references aside."""
    with zipfile.ZipFile(QUICKSTART) as archive:
        theirs_bin = archive.read("xl/vbaProject.bin")
    with olefile.OleFileIO(theirs_bin) as theirs_ole:
        theirs_dir = bytes(decompress_stream(theirs_ole.openstream("VBA/dir").read()))
    theirs = [rid for rid, _ in _dir_records(theirs_dir)]
    ours = [rid for rid, _ in _dir_records(decompress(ole.openstream("VBA/dir").read()))]

    def info(ids):
        return ids[: ids.index(0x16)]

    def first_module(ids):
        start = ids.index(0x19)
        return ids[start : ids.index(0x2B, start) + 1]

    assert info(ours) == info(theirs)
    assert ours[ours.index(0x0F) :][:2] == theirs[theirs.index(0x0F) :][:2]
    assert first_module(ours) == first_module(theirs)
    assert ours[-1] == theirs[-1] == 0x10


def test_project_stream_and_protection(ole, modules):
    text = ole.openstream("PROJECT").read().decode("cp1252")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert "Document=ThisWorkbook/&H00000000\r\n" in text
    assert "Module=Buttons\r\nModule=xlwings\r\nClass=Dictionary\r\n" in text
    props = _project_properties(ole.openstream("PROJECT").read())
    assert re.fullmatch(r"\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", props["ID"])
    proj_key = sum(props["ID"].encode()) & 0xFF
    assert _decrypt(props["CMG"]) == (2, proj_key, bytes(4))
    assert _decrypt(props["DPB"]) == (2, proj_key, b"\x00")
    assert _decrypt(props["GC"]) == (2, proj_key, b"\xff")
    wm = ole.openstream("PROJECTwm").read()
    assert wm == b"".join(m.name.encode() + b"\0" + m.name.encode("utf-16-le") + b"\0\0" for m in modules) + b"\0\0"


def test_decrypt_helper_on_xlwings_quickstart():
    """The test's own decryption, checked on values written by another tool."""
    with zipfile.ZipFile(QUICKSTART) as archive, olefile.OleFileIO(archive.read("xl/vbaProject.bin")) as ole:
        props = _project_properties(ole.openstream("PROJECT").read())
    proj_key = sum(props["ID"].encode()) & 0xFF
    assert _decrypt(props["CMG"]) == (2, proj_key, bytes(4))
    assert _decrypt(props["GC"]) == (2, proj_key, b"\xff")


def test_build_is_deterministic(project, modules):
    assert build_vba_project(modules) == project
    changed = [
        VbaModule(m.name, m.kind, m.source.replace("run_review", "run_revieW")) if m.name == "Buttons" else m
        for m in modules
    ]
    other = build_vba_project(changed)
    assert other != project
    assert _project_properties_of(other)["ID"] != _project_properties_of(project)["ID"]


def _project_properties_of(project: bytes) -> dict[str, str]:
    with olefile.OleFileIO(project) as ole:
        return _project_properties(ole.openstream("PROJECT").read())


def test_xlsm_with_button(tmp_path, project, modules):
    path = tmp_path / "BHYT.xlsm"
    workbook = xlsxwriter.Workbook(str(path))
    workbook.set_vba_name("ThisWorkbook")
    sheet = workbook.add_worksheet("Rà soát")
    sheet.set_vba_name("Sheet1")
    sheet.insert_button("B2", {"macro": "RunReview", "caption": "Rà soát thẻ trùng"})
    workbook.add_worksheet("xlwings.conf").set_vba_name("Sheet2")
    workbook.add_vba_project(io.BytesIO(project), is_stream=True)
    workbook.close()

    with zipfile.ZipFile(path) as archive:
        assert archive.read("xl/vbaProject.bin") == project
        vml = archive.read("xl/drawings/vmlDrawing1.vml").decode("utf-8")
    assert "<x:FmlaMacro>[0]!RunReview</x:FmlaMacro>" in vml
    assert "Rà soát thẻ trùng" in vml
    assert set(_extract(path)) == {m.name for m in modules}

    loaded = openpyxl.load_workbook(path, keep_vba=True)
    assert loaded.sheetnames == ["Rà soát", "xlwings.conf"]
    assert loaded["Rà soát"].sheet_properties.codeName == "Sheet1"
    resaved = tmp_path / "resaved.xlsm"
    loaded.save(resaved)
    with zipfile.ZipFile(resaved) as archive:
        assert archive.read("xl/vbaProject.bin") == project


# ---------------------------------------------------------------------------
# Rejected input
# ---------------------------------------------------------------------------
def test_vietnamese_text_in_vba_is_rejected():
    source = 'Sub ShowHelp()\n    MsgBox "Rà soát thẻ trùng"\nEnd Sub\n'
    with pytest.raises(ValueError, match=r"'Buttons', line 2.*cp1252"):
        build_vba_project([VbaModule("Buttons", "standard", source)])


def test_cp1252_text_is_accepted():
    source = "' caf\u00e9 \u2013 r\u00e9sum\u00e9\r\nSub A()\r\nEnd Sub\r\n"
    code = _extract(build_vba_project([VbaModule("Notes", "standard", source)]))["Notes"]
    assert _body(code) == _body(source)


@pytest.mark.parametrize(
    "line",
    ["Sub Double()", "Public Function date(x)", "Private Sub End()", "Function String()", "Static Sub Next()",
     "Private Declare PtrSafe Function Len Lib \"x\" () As Long"],
)
def test_reserved_procedure_names_are_rejected(line):
    with pytest.raises(ValueError, match="reserved word"):
        build_vba_project([VbaModule("Buttons", "standard", f"{line}\nEnd Sub\n")])


def test_names_that_merely_contain_keywords_are_accepted():
    source = "Sub DoubleCheck()\nEnd Sub\nFunction EndDate()\nEnd Function\n' Sub Double() in a comment\n"
    assert build_vba_project([VbaModule("Subs", "standard", source)])


@pytest.mark.parametrize(
    ("modules", "match"),
    [
        ([VbaModule("String", "standard", "")], "reserved word"),
        ([VbaModule("My Module", "standard", "")], "not a VBA identifier"),
        ([VbaModule("A" * 32, "standard", "")], "not a VBA identifier"),
        ([VbaModule("Buttons", "standard", ""), VbaModule("buttons", "class", "")], "duplicate"),
        ([VbaModule("dir", "standard", "")], "clashes"),
        ([VbaModule("Form1", "form", "")], "unknown kind"),  # type: ignore[arg-type]
        ([VbaModule("C", "class", "VERSION 1.0 CLASS\nBEGIN\n  MultiUse = -1\n")], "without END"),
    ],
)
def test_bad_modules_are_rejected(modules, match):
    with pytest.raises(ValueError, match=match):
        build_vba_project(modules)


def test_bad_project_name_is_rejected():
    with pytest.raises(ValueError, match="project name"):
        build_vba_project([VbaModule("A", "standard", "")], project_name="Dự án")


# ---------------------------------------------------------------------------
# xlwings sources and the generated xlwings_udfs module
# ---------------------------------------------------------------------------
def test_xlwings_vba_sources():
    sources = xlwings_vba_sources()
    assert [(m.name, m.kind) for m in sources] == [("xlwings", "standard"), ("Dictionary", "class")]
    assert sources[1].source.startswith("VERSION 1.0 CLASS")
    assert embedded_xlwings_version(sources[0].source) == xw.__version__
    with pytest.raises(ValueError):
        embedded_xlwings_version(sources[1].source)


def test_generated_udf_module(udf_text):
    lines = udf_text.splitlines()
    assert lines[0] == 'Attribute VB_Name = "xlwings_udfs"'
    assert re.findall(r"^Function (\w+)\(", udf_text, re.MULTILINE) == ["count_filled", "greet"]
    assert len(re.findall(r"^End Function$", udf_text, re.MULTILINE)) == 2
    assert (
        f'greet = XLPy.CallUDF("{UDF_MODULE}", "greet", Array(name), ThisWorkbook, Application.Caller)' in udf_text
    )
    assert f'count_filled = XLPy.CallUDF("{UDF_MODULE}", "count_filled", Array(cells)' in udf_text


def test_udf_module_is_built_into_the_project(project, udf_text):
    assert _body(_extract(project)["xlwings_udfs"]) == _body(udf_text)


def _udf_state() -> tuple:
    return (
        xw.func, xw.arg, xw.ret, hasattr(xw, "udfs"),
        {name: sys.modules.get(name) for name in ("pythoncom", "pywintypes", "win32com", "win32com.client")},
        sys.modules.get("xlwings.udfs"),
    )


def test_generate_udf_module_has_no_side_effects(udf_folder):
    before = _udf_state()
    plain = importlib.import_module(UDF_MODULE)
    text = generate_udf_module(UDF_MODULE, "Other.xlam")
    assert "ActiveWorkbook" in text and "ThisWorkbook" not in text
    assert sys.modules[UDF_MODULE] is plain
    assert not hasattr(plain.greet, "__xlfunc__")
    assert _udf_state() == before
    assert before[4]["pythoncom"] is None and before[5] is None
    del sys.modules[UDF_MODULE]
    generate_udf_module(UDF_MODULE, "BHYT.xlsm")
    assert UDF_MODULE not in sys.modules


def test_generate_udf_module_restores_state_on_error(udf_folder):
    before = _udf_state()
    with pytest.raises(ModuleNotFoundError):
        generate_udf_module("bhyt_test_no_such_module", "BHYT.xlsm")
    assert _udf_state() == before


def test_udf_named_like_a_keyword_is_rejected_at_build(udf_folder):
    text = generate_udf_module(BAD_UDF_MODULE, "BHYT.xlsm")
    assert "Function double(x)" in text
    with pytest.raises(ValueError, match=r"'xlwings_udfs'.*'double'.*reserved word"):
        build_vba_project([VbaModule("xlwings_udfs", "standard", text)])
