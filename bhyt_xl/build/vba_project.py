"""Build a source-only ``vbaProject.bin`` from plain-text VBA modules.

The output is a compound file (MS-CFB, version 3) holding a VBA project as
described in MS-OVBA: the ``PROJECT`` and ``PROJECTwm`` streams, and a ``VBA``
storage with ``_VBA_PROJECT``, the compressed ``dir`` stream and one
compressed source stream per module. No p-code is written (MODULEOFFSET 0,
``_VBA_PROJECT`` version 0xFFFF), so the host compiles the sources on open.

The project GUID and the encryption seeds of CMG/DPB/GC derive from a hash
of the sources, so the same modules always give the same bytes.
"""

from __future__ import annotations

import hashlib
import math
import re
import struct
import uuid
from dataclasses import dataclass, field
from typing import Literal

ModuleKind = Literal["standard", "class", "document"]


@dataclass(frozen=True)
class VbaModule:
    """One VBA module: its name, kind and source text as in a .bas/.cls file."""

    name: str
    kind: ModuleKind
    source: str


# ---------------------------------------------------------------------------
# MS-OVBA 2.4.1: compression
# ---------------------------------------------------------------------------
_CHUNK_SIZE = 4096
_CHUNK_SIGNATURE = 0x3000
_CHUNK_COMPRESSED = 0x8000
_MIN_MATCH = 3


def compress(data: bytes) -> bytes:
    """Compress ``data`` into a CompressedContainer (MS-OVBA 2.4.1.3.6).

    Matches are chosen exactly as in MS-OVBA 2.4.1.3.19.4 (longest match,
    the closest one on ties, then capped at the maximum length). A chunk that
    does not fit in 4096 compressed bytes becomes a raw chunk (2.4.1.3.10);
    a short final raw chunk is written without the spec's 0x00 padding so that
    decompression returns exactly ``data`` (VBA text never needs raw chunks).
    """
    out = bytearray(b"\x01")
    for start in range(0, len(data), _CHUNK_SIZE):
        out += _compress_chunk(data[start : start + _CHUNK_SIZE])
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    """Compress one DecompressedChunk into a CompressedChunk (MS-OVBA 2.4.1.3.7)."""
    body = _compress_tokens(chunk)
    if len(body) <= _CHUNK_SIZE:
        header = _CHUNK_COMPRESSED | _CHUNK_SIGNATURE | (len(body) + 2 - 3)
        return struct.pack("<H", header) + body
    return struct.pack("<H", _CHUNK_SIGNATURE | 0x0FFF) + chunk


def _compress_tokens(chunk: bytes) -> bytes:
    """Encode a chunk as a series of TokenSequences (MS-OVBA 2.4.1.3.8, 2.4.1.3.9)."""
    out = bytearray()
    index: dict[bytes, list[int]] = {}
    pos = 0
    while pos < len(chunk):
        flag_at, flags = len(out), 0
        out.append(0)
        for bit in range(8):
            if pos >= len(chunk):
                break
            offset, length = _find_match(chunk, pos, index)
            if length:
                out += _copy_token(pos, offset, length)
                flags |= 1 << bit
            else:
                out.append(chunk[pos])
                length = 1
            _index_positions(chunk, pos, pos + length, index)
            pos += length
        out[flag_at] = flags
    return bytes(out)


def _index_positions(chunk: bytes, start: int, stop: int, index: dict[bytes, list[int]]) -> None:
    """Record where each 3-byte prefix occurs, so that matching looks only at real candidates."""
    for p in range(start, min(stop, len(chunk) - _MIN_MATCH + 1)):
        index.setdefault(chunk[p : p + _MIN_MATCH], []).append(p)


def _find_match(chunk: bytes, pos: int, index: dict[bytes, list[int]]) -> tuple[int, int]:
    """Return (offset, length) of the best match at ``pos``, or (0, 0) (MS-OVBA 2.4.1.3.19.4).

    Every match of length >= 3 starts with the same 3 bytes, so the index
    holds all the candidates the spec's backward scan would accept; scanning
    them closest first and keeping only strictly longer matches reproduces the
    spec's choice.
    """
    end = len(chunk)
    best_len, best_pos = 0, 0
    for cand in reversed(index.get(chunk[pos : pos + _MIN_MATCH], ())):
        if best_len and chunk[cand + best_len] != chunk[pos + best_len]:
            continue
        length = _MIN_MATCH
        while pos + length < end and chunk[cand + length] == chunk[pos + length]:
            length += 1
        if length > best_len:
            best_len, best_pos = length, cand
            if pos + length == end:
                break
    if best_len < _MIN_MATCH:
        return 0, 0
    _, max_length = _copy_token_help(pos)
    return pos - best_pos, min(best_len, max_length)


def _copy_token_help(position: int) -> tuple[int, int]:
    """Return (BitCount, MaximumLength) at ``position`` within its chunk (MS-OVBA 2.4.1.3.19.1)."""
    bit_count = max((position - 1).bit_length(), 4)
    return bit_count, (0xFFFF >> bit_count) + 3


def _copy_token(position: int, offset: int, length: int) -> bytes:
    """Pack a CopyToken (MS-OVBA 2.4.1.3.19.3)."""
    bit_count, _ = _copy_token_help(position)
    return struct.pack("<H", ((offset - 1) << (16 - bit_count)) | (length - 3))


def decompress(data: bytes) -> bytes:
    """Decompress a CompressedContainer (MS-OVBA 2.4.1.3.1)."""
    if not data or data[0] != 0x01:
        raise ValueError("not an MS-OVBA compressed container (signature byte is not 0x01)")
    out = bytearray()
    pos = 1
    while pos < len(data):
        if pos + 2 > len(data):
            raise ValueError(f"truncated chunk header at offset {pos}")
        (header,) = struct.unpack_from("<H", data, pos)
        if header & 0x7000 != _CHUNK_SIGNATURE:
            raise ValueError(f"bad CompressedChunkSignature at offset {pos}")
        size = (header & 0x0FFF) + 3
        if header & _CHUNK_COMPRESSED:
            out += _decompress_chunk(data[pos + 2 : pos + size])
        else:
            out += data[pos + 2 : pos + 2 + _CHUNK_SIZE]
        pos += size
    return bytes(out)


def _decompress_chunk(body: bytes) -> bytes:
    """Decompress the TokenSequences of one CompressedChunk (MS-OVBA 2.4.1.3.2, 2.4.1.3.4)."""
    out = bytearray()
    i = 0
    while i < len(body):
        flags = body[i]
        i += 1
        for bit in range(8):
            if i >= len(body):
                break
            if flags >> bit & 1:
                i = _expand_copy_token(body, i, out)
            else:
                out.append(body[i])
                i += 1
    return bytes(out)


def _expand_copy_token(body: bytes, i: int, out: bytearray) -> int:
    """Append the bytes a CopyToken refers to (MS-OVBA 2.4.1.3.5); return the next read position."""
    if i + 2 > len(body):
        raise ValueError("truncated CopyToken")
    (token,) = struct.unpack_from("<H", body, i)
    bit_count, _ = _copy_token_help(len(out))
    length = (token & (0xFFFF >> bit_count)) + 3
    source = len(out) - ((token >> (16 - bit_count)) + 1)
    if source < 0:
        raise ValueError("CopyToken points before the start of the chunk")
    for k in range(length):
        out.append(out[source + k])
    return i + 2


# ---------------------------------------------------------------------------
# Module sources: checks and the text stored in each module stream
# ---------------------------------------------------------------------------
# MS-VBAL 3.3.5.2 reserved identifiers, plus a few statement words VBA rejects as names.
_RESERVED_WORDS = frozenset(
    word.casefold()
    for word in """
    Call Case Close Const Declare DefBool DefByte DefCur DefDate DefDbl DefInt DefLng
    DefLngLng DefLngPtr DefObj DefSng DefStr DefVar Dim Do Else ElseIf End EndIf Enum
    Erase Event Exit For Friend Function Get Global GoSub GoTo If Implements Input Let
    Lock Loop LSet Next On Open Option Print Private Public Put RaiseEvent ReDim Resume
    Return RSet Seek Select Set Static Stop Sub Type Unlock Wend While With Write Rem
    Any As ByRef ByVal Each In New Shared Until WithEvents Optional ParamArray Preserve
    Spc Tab Then To AddressOf And Eqv Imp Is Like Mod Not Or TypeOf Xor
    Abs CBool CByte CCur CDate CDbl CDec CInt CLng CLngLng CLngPtr CSng CStr CVar CVErr
    Date Debug DoEvents Fix Int Len LenB Me PSet Scale Sgn String
    Array Circle InputB LBound UBound
    Boolean Byte Currency Decimal Double Integer Long LongLong LongPtr Object Single Variant
    True False Nothing Empty Null Attribute Error Property Step PtrSafe
    """.split()
)
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,30}")
_PROCEDURE = re.compile(
    r"^\s*(?:(?:Public|Private|Friend)\s+)?(?:Static\s+)?(?:Declare\s+(?:PtrSafe\s+)?)?"
    r"(?:Sub|Function)\s+([A-Za-z_]\w*)",
    re.IGNORECASE,
)
_HEADER_ATTRIBUTE = re.compile(r"Attribute\s+(VB_\w+)\s*=\s*(.*?)\s*", re.IGNORECASE)
_RESERVED_STREAM_NAMES = frozenset({"dir", "_vba_project"})

_CLASS_BASE = '"0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"'
_WORKBOOK_BASE = '"0{00020819-0000-0000-C000-000000000046}"'
_SHEET_BASE = '"0{00020820-0000-0000-C000-000000000046}"'
_CLASS_ATTRIBUTES = (
    ("VB_GlobalNameSpace", "False"),
    ("VB_Creatable", "False"),
    ("VB_PredeclaredId", "False"),
    ("VB_Exposed", "False"),
    ("VB_TemplateDerived", "False"),
    ("VB_Customizable", "False"),
)
_DOCUMENT_ATTRIBUTES = (
    ("VB_GlobalNameSpace", "False"),
    ("VB_Creatable", "False"),
    ("VB_PredeclaredId", "True"),
    ("VB_Exposed", "True"),
    ("VB_TemplateDerived", "False"),
    ("VB_Customizable", "True"),
)


def _split_lines(source: str) -> list[str]:
    """Split on CRLF, CR or LF; a final line break does not start another line."""
    lines = re.split(r"\r\n|\r|\n", source)
    return lines[:-1] if lines[-1] == "" else lines


def _check_identifier(name: str, what: str) -> None:
    """Reject names VBA cannot use: not an identifier, over 31 characters, or reserved (MS-VBAL 3.3.5)."""
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"{what} {name!r} is not a VBA identifier (letter, then letters/digits/_; max 31)")
    if name.casefold() in _RESERVED_WORDS:
        raise ValueError(f"{what} {name!r} is a VBA reserved word")


def _check_module(module: VbaModule) -> None:
    """Check the module's kind and name, and every line for cp1252 and reserved procedure names."""
    if module.kind not in ("standard", "class", "document"):
        raise ValueError(f"module {module.name!r}: unknown kind {module.kind!r}")
    _check_identifier(module.name, "module name")
    if module.name.casefold() in _RESERVED_STREAM_NAMES:
        raise ValueError(f"module name {module.name!r} clashes with a VBA storage stream")
    for lineno, line in enumerate(_split_lines(module.source), start=1):
        _check_line(module.name, lineno, line)


def _check_line(module_name: str, lineno: int, line: str) -> None:
    """Raise ValueError if a line cannot be stored in cp1252 or declares a reserved name."""
    try:
        line.encode("cp1252")
    except UnicodeEncodeError as exc:
        bad = line[exc.start]
        raise ValueError(
            f"module {module_name!r}, line {lineno}: character {bad!r} (U+{ord(bad):04X}) "
            "cannot be encoded in cp1252; keep VBA ASCII-only and put Vietnamese text "
            "in sheets or Python"
        ) from None
    match = _PROCEDURE.match(line)
    if match and match.group(1).casefold() in _RESERVED_WORDS:
        raise ValueError(
            f"module {module_name!r}, line {lineno}: procedure name {match.group(1)!r} "
            "is a VBA reserved word"
        )


def _check_project(modules: list[VbaModule], project_name: str) -> None:
    """Check the project name, each module, and that module names are unique (case-insensitive)."""
    _check_identifier(project_name, "project name")
    seen: set[str] = set()
    for module in modules:
        _check_module(module)
        if module.name.casefold() in seen:
            raise ValueError(f"duplicate module name {module.name!r}")
        seen.add(module.name.casefold())


def _strip_class_header(module_name: str, lines: list[str]) -> list[str]:
    """Drop the ``VERSION 1.0 CLASS`` / ``BEGIN`` ... ``END`` block a .cls export starts with."""
    if len(lines) < 2 or not lines[0].upper().startswith("VERSION ") or lines[1].strip().upper() != "BEGIN":
        return lines
    for i, line in enumerate(lines):
        if line.strip().upper() == "END":
            return lines[i + 1 :]
    raise ValueError(f"module {module_name!r}: VERSION/BEGIN header without END")


def _take_attributes(lines: list[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """Split the leading ``Attribute VB_*`` lines (as (key, value) pairs) from the body."""
    attributes = []
    for i, line in enumerate(lines):
        match = _HEADER_ATTRIBUTE.fullmatch(line)
        if not match:
            return attributes, lines[i:]
        attributes.append((match.group(1), match.group(2)))
    return attributes, []


def _header_lines(module: VbaModule, given: list[tuple[str, str]]) -> list[str]:
    """Return the module's attribute header (MS-OVBA 2.3.4.3; VB_* as the VBE writes them).

    VB_Name (and VB_Base for class/document modules) always come from the
    module; other standard attributes keep a value given in the source,
    else the default; further given attributes (e.g. VB_Description) follow.
    """
    given_values = {key.casefold(): value for key, value in given}
    pairs = [("VB_Name", f'"{module.name}"')]
    if module.kind != "standard":
        defaults = _CLASS_ATTRIBUTES if module.kind == "class" else _DOCUMENT_ATTRIBUTES
        pairs.append(("VB_Base", _base_class(module)))
        pairs += [(key, given_values.get(key.casefold(), value)) for key, value in defaults]
    fixed = {key.casefold() for key, _ in pairs}
    pairs += [(key, value) for key, value in given if key.casefold() not in fixed]
    return [f"Attribute {key} = {value}" for key, value in pairs]


def _base_class(module: VbaModule) -> str:
    """Return the VB_Base value: a class, the workbook (``ThisWorkbook``) or a worksheet."""
    if module.kind == "class":
        return _CLASS_BASE
    return _WORKBOOK_BASE if module.name == "ThisWorkbook" else _SHEET_BASE


def module_text(module: VbaModule) -> str:
    """Return the source text stored in the module's stream: attribute header, then the body, CRLF lines."""
    lines = _strip_class_header(module.name, _split_lines(module.source))
    given, body = _take_attributes(lines)
    return "".join(line + "\r\n" for line in _header_lines(module, given) + body)


# ---------------------------------------------------------------------------
# MS-OVBA 2.3.4.2: the dir stream
# ---------------------------------------------------------------------------
_CODEPAGE = 1252
_LCID = 0x0409
_SYSKIND_WIN64 = 3
_REFERENCES = (
    (
        "stdole",
        r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\Windows\System32\stdole2.tlb#OLE Automation",
    ),
    (
        "Office",
        r"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#C:\Program Files\Common Files"
        r"\Microsoft Shared\OFFICE16\MSO.DLL#Microsoft Office 16.0 Object Library",
    ),
)


def _mbcs(text: str) -> bytes:
    """Encode text in the project code page (MS-OVBA 2.1.1: MBCS strings)."""
    return text.encode("cp1252")


def _record(record_id: int, payload: bytes) -> bytes:
    """Pack an (Id, Size, payload) record as used throughout the dir stream."""
    return struct.pack("<HI", record_id, len(payload)) + payload


def _text_records(record_id: int, unicode_id: int, text: str) -> bytes:
    """Pack a string record followed by its UTF-16 twin (e.g. MODULENAME + MODULENAMEUNICODE)."""
    return _record(record_id, _mbcs(text)) + _record(unicode_id, text.encode("utf-16-le"))


def _project_information(project_name: str) -> bytes:
    """PROJECTINFORMATION record (MS-OVBA 2.3.4.2.1)."""
    return b"".join(
        (
            _record(0x01, struct.pack("<I", _SYSKIND_WIN64)),
            _record(0x02, struct.pack("<I", _LCID)),
            _record(0x14, struct.pack("<I", _LCID)),
            _record(0x03, struct.pack("<H", _CODEPAGE)),
            _record(0x04, _mbcs(project_name)),
            _text_records(0x05, 0x40, ""),
            _text_records(0x06, 0x3D, ""),
            _record(0x07, struct.pack("<I", 0)),
            _record(0x08, struct.pack("<I", 0)),
            struct.pack("<HIIH", 0x09, 4, 1, 0),  # PROJECTVERSION: Reserved=4, major, minor
            _text_records(0x0C, 0x3C, ""),
        )
    )


def _reference(name: str, libid: str) -> bytes:
    """REFERENCENAME + REFERENCEREGISTERED (MS-OVBA 2.3.4.2.2.2, 2.3.4.2.2.5)."""
    encoded = _mbcs(libid)
    registered = struct.pack("<I", len(encoded)) + encoded + struct.pack("<IH", 0, 0)
    return _text_records(0x16, 0x3E, name) + _record(0x0D, registered)


def _module_record(module: VbaModule) -> bytes:
    """MODULE record of a source-only module (MS-OVBA 2.3.4.2.3.2): MODULEOFFSET 0."""
    return b"".join(
        (
            _text_records(0x19, 0x47, module.name),
            _text_records(0x1A, 0x32, module.name),
            _text_records(0x1C, 0x48, ""),
            _record(0x31, struct.pack("<I", 0)),
            _record(0x1E, struct.pack("<I", 0)),
            _record(0x2C, struct.pack("<H", 0xFFFF)),
            _record(0x21 if module.kind == "standard" else 0x22, b""),
            _record(0x2B, b""),
        )
    )


def _dir_stream(modules: list[VbaModule], project_name: str) -> bytes:
    """The uncompressed dir stream (MS-OVBA 2.3.4.2): information, references, modules, terminator."""
    return b"".join(
        (
            _project_information(project_name),
            *(_reference(name, libid) for name, libid in _REFERENCES),
            _record(0x0F, struct.pack("<H", len(modules))),
            _record(0x13, struct.pack("<H", 0xFFFF)),
            *(_module_record(module) for module in modules),
            _record(0x10, b""),
        )
    )


# ---------------------------------------------------------------------------
# MS-OVBA 2.3.1, 2.3.3, 2.4.3: PROJECT, PROJECTwm and the CMG/DPB/GC encryption
# ---------------------------------------------------------------------------
_VBA_PROJECT_STREAM = bytes.fromhex("CC61FFFF000300")  # 2.3.4.1: version 0xFFFF, no p-code
_HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"
_PROTECTION_NONE = struct.pack("<I", 0)  # 2.3.1.15 ProjectProtectionState
_PASSWORD_NONE = b"\x00"  # 2.3.1.16 ProjectPassword: no password
_VISIBLE = b"\xff"  # 2.3.1.17 ProjectVisibilityState


def _encrypt(data: bytes, seed: int, project_id: str) -> str:
    """Encrypt ``data`` per MS-OVBA 2.4.3.2 and return it as the hex text stored in PROJECT.

    The ignored bytes (TempValue, "any value") are 0x00.
    """
    proj_key = sum(project_id.encode("ascii")) & 0xFF
    out = bytearray((seed, seed ^ 2, seed ^ proj_key))
    unencrypted_1, encrypted_1, encrypted_2 = proj_key, out[2], out[1]
    payload = bytes((seed & 6) // 2) + struct.pack("<I", len(data)) + data
    for byte in payload:
        byte_enc = byte ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        out.append(byte_enc)
        encrypted_2, encrypted_1, unencrypted_1 = encrypted_1, byte_enc, byte
    return out.hex().upper()


def _module_line(module: VbaModule) -> str:
    """ProjectModule line (MS-OVBA 2.3.1.3): Document=, Module= or Class=."""
    if module.kind == "document":
        return f"Document={module.name}/&H00000000"
    return f"{'Module' if module.kind == 'standard' else 'Class'}={module.name}"


def _project_stream(modules: list[VbaModule], project_name: str, project_id: str, digest: bytes) -> bytes:
    """The PROJECT stream (MS-OVBA 2.3.1): properties, host extenders, workspace."""
    lines = [
        f'ID="{project_id}"',
        *(_module_line(module) for module in modules),
        f'Name="{project_name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{_encrypt(_PROTECTION_NONE, digest[16], project_id)}"',
        f'DPB="{_encrypt(_PASSWORD_NONE, digest[17], project_id)}"',
        f'GC="{_encrypt(_VISIBLE, digest[18], project_id)}"',
        "",
        "[Host Extender Info]",
        _HOST_EXTENDER,
        "",
        "[Workspace]",
        *(f"{module.name}=0, 0, 0, 0, C" for module in modules),
    ]
    return _mbcs("".join(line + "\r\n" for line in lines))


def _projectwm_stream(modules: list[VbaModule]) -> bytes:
    """The PROJECTwm stream (MS-OVBA 2.3.3): each name in MBCS and UTF-16, NUL-terminated."""
    names = (_mbcs(m.name) + b"\x00" + m.name.encode("utf-16-le") + b"\x00\x00" for m in modules)
    return b"".join(names) + b"\x00\x00"


def _digest(project_name: str, modules: list[VbaModule], texts: list[bytes]) -> bytes:
    """Hash everything that goes into the project; the GUID and seeds derive from it."""
    h = hashlib.sha256(_mbcs(project_name))
    for module, text in zip(modules, texts):
        h.update(repr((module.name, module.kind, len(text))).encode("ascii"))
        h.update(text)
    return h.digest()


def _project_id(digest: bytes) -> str:
    """A GUID in braces, upper case, derived from the digest (MS-OVBA 2.3.1.2)."""
    return "{" + str(uuid.UUID(bytes=digest[:16], version=4)).upper() + "}"


def build_vba_project(modules: list[VbaModule], project_name: str = "VBAProject") -> bytes:
    """Return a complete source-only ``vbaProject.bin`` (MS-OVBA 2.2) for ``modules``.

    Raises ValueError for a name that is not a usable VBA identifier, a
    Sub/Function named with a reserved word, a character outside cp1252
    (naming the module and line), or a project over the size limit.
    """
    _check_project(modules, project_name)
    texts = [_mbcs(module_text(module)) for module in modules]
    digest = _digest(project_name, modules, texts)
    project_id = _project_id(digest)
    streams = {
        "PROJECT": _project_stream(modules, project_name, project_id, digest),
        "PROJECTwm": _projectwm_stream(modules),
        "VBA/_VBA_PROJECT": _VBA_PROJECT_STREAM,
        "VBA/dir": compress(_dir_stream(modules, project_name)),
    }
    streams.update((f"VBA/{m.name}", compress(text)) for m, text in zip(modules, texts))
    return write_compound_file(streams)


# ---------------------------------------------------------------------------
# MS-CFB: a minimal version 3 compound file writer
# ---------------------------------------------------------------------------
_SECTOR = 512
_MINI_SECTOR = 64
_MINI_CUTOFF = 4096
_ENTRY_SIZE = 128
_IDS_PER_SECTOR = _SECTOR // 4
_HEADER_DIFAT = 109
_FREESECT, _ENDOFCHAIN, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
_STORAGE, _STREAM, _ROOT = 1, 2, 5
_RED, _BLACK = 0, 1
_CFB_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
_FORBIDDEN_NAME_CHARS = frozenset("/\\:!")


@dataclass(eq=False)
class _Entry:
    """A directory entry (MS-CFB 2.6.1) and, for streams, its data."""

    name: str
    kind: int
    data: bytes = b""
    children: list[_Entry] = field(default_factory=list)
    sid: int = 0
    left: int = _NOSTREAM
    right: int = _NOSTREAM
    child: int = _NOSTREAM
    color: int = _BLACK
    start: int = 0
    size: int = 0


def write_compound_file(streams: dict[str, bytes]) -> bytes:
    """Write a CFB version 3 file (MS-CFB 2.2) holding ``streams``, keyed by '/'-separated paths.

    Layout: FAT sectors, directory, mini FAT, mini stream, then each large
    stream, every chain contiguous. No DIFAT sectors, so at most 109 FAT
    sectors (about 7 MB); larger content raises ValueError.
    """
    root = _directory_tree(streams)
    entries = _flatten(root)
    for entry in entries:
        if entry.kind != _STREAM:
            entry.child = _link_siblings(entry.children)
    small = [e for e in entries if e.kind == _STREAM and len(e.data) < _MINI_CUTOFF]
    large = [e for e in entries if e.kind == _STREAM and len(e.data) >= _MINI_CUTOFF]
    mini_stream, mini_fat = _pack_mini_stream(small)
    payloads = [_pack_ids(mini_fat), mini_stream, *(e.data for e in large)]
    counts = [_sectors(len(entries) * _ENTRY_SIZE), *(_sectors(len(p)) for p in payloads)]
    n_fat = _fat_sector_count(sum(counts))
    starts = _chain_starts(n_fat, counts)
    root.start, root.size = starts[2], len(mini_stream)
    for entry, start in zip(large, starts[3:]):
        entry.start, entry.size = start, len(entry.data)
    header = _header(n_fat, starts[0], starts[1], counts[1])
    body = [_fat(n_fat, counts), _directory(entries), *payloads]
    return header + b"".join(_pad(part, _SECTOR) for part in body)


def _directory_tree(streams: dict[str, bytes]) -> _Entry:
    """Turn '/'-separated stream paths into a tree of storages and streams under the root."""
    root = _Entry("Root Entry", _ROOT)
    for path, data in streams.items():
        *storages, name = path.split("/")
        parent = root
        for storage in storages:
            parent = _child(parent, storage, _STORAGE)
        if any(c.name.casefold() == name.casefold() for c in parent.children):
            raise ValueError(f"duplicate compound-file entry {path!r}")
        parent.children.append(_Entry(_checked_name(name), _STREAM, data=bytes(data), size=len(data)))
    return root


def _child(parent: _Entry, name: str, kind: int) -> _Entry:
    """Return the child storage called ``name``, creating it if needed."""
    for child in parent.children:
        if child.name.casefold() == name.casefold():
            if child.kind != kind:
                raise ValueError(f"{name!r} is both a stream and a storage")
            return child
    child = _Entry(_checked_name(name), kind)
    parent.children.append(child)
    return child


def _checked_name(name: str) -> str:
    """Check an entry name: 1-31 UTF-16 characters, none of / \\ : ! (MS-CFB 2.6.1)."""
    if not 0 < len(name.encode("utf-16-le")) // 2 <= 31 or _FORBIDDEN_NAME_CHARS & set(name):
        raise ValueError(f"invalid compound-file entry name {name!r}")
    return name


def _flatten(root: _Entry) -> list[_Entry]:
    """List the entries in pre-order and give each its stream ID (the root is 0)."""
    entries, todo = [], [root]
    while todo:
        entry = todo.pop()
        entry.sid = len(entries)
        entries.append(entry)
        todo.extend(reversed(entry.children))
    return entries


def _cfb_order(entry: _Entry) -> tuple[int, str]:
    """Sort key of siblings: shorter names first, then upper-case comparison (MS-CFB 2.6.4)."""
    return len(entry.name.encode("utf-16-le")), entry.name.upper()


def _link_siblings(children: list[_Entry]) -> int:
    """Link siblings into a balanced red-black tree and return its root ID (MS-CFB 2.6.4).

    Median splitting fills every level but the deepest; colouring the nodes
    of an incomplete deepest level red keeps every path's black count equal.
    """
    ordered = sorted(children, key=_cfb_order)
    perfect = (len(ordered) + 1) & len(ordered) == 0
    deepest = len(ordered).bit_length() - 1

    def link(lo: int, hi: int, depth: int) -> int:
        if lo >= hi:
            return _NOSTREAM
        mid = (lo + hi) // 2
        node = ordered[mid]
        node.left = link(lo, mid, depth + 1)
        node.right = link(mid + 1, hi, depth + 1)
        node.color = _RED if depth == deepest and not perfect else _BLACK
        return node.sid

    return link(0, len(ordered), 0)


def _chain(start: int, count: int) -> list[int]:
    """FAT or mini FAT entries of a contiguous chain of ``count`` sectors (MS-CFB 2.3)."""
    return [start + i + 1 for i in range(count - 1)] + [_ENDOFCHAIN] if count else []


def _pack_mini_stream(small: list[_Entry]) -> tuple[bytes, list[int]]:
    """Place small streams in 64-byte mini sectors (MS-CFB 2.5); return the mini stream and mini FAT."""
    data, mini_fat = bytearray(), []
    for entry in small:
        count = -(-len(entry.data) // _MINI_SECTOR)
        entry.start = len(mini_fat) if count else _ENDOFCHAIN
        mini_fat += _chain(len(mini_fat), count)
        data += _pad(entry.data, _MINI_SECTOR)
    return bytes(data), mini_fat


def _pack_ids(ids: list[int]) -> bytes:
    """Pack sector IDs, padded with FREESECT to whole sectors."""
    padded = ids + [_FREESECT] * (-len(ids) % _IDS_PER_SECTOR)
    return struct.pack(f"<{len(padded)}I", *padded)


def _pad(data: bytes, unit: int) -> bytes:
    """Pad with zeros to a multiple of ``unit``."""
    return data + bytes(-len(data) % unit)


def _sectors(size: int) -> int:
    """Number of 512-byte sectors needed for ``size`` bytes."""
    return -(-size // _SECTOR)


def _fat_sector_count(other_sectors: int) -> int:
    """Smallest FAT that maps itself and the other sectors; at most 109 without DIFAT (MS-CFB 2.5)."""
    n_fat = max(1, math.ceil(other_sectors / _IDS_PER_SECTOR))
    while n_fat * _IDS_PER_SECTOR < other_sectors + n_fat:
        n_fat += 1
    if n_fat > _HEADER_DIFAT:
        limit = _HEADER_DIFAT * _IDS_PER_SECTOR * _SECTOR // 1_000_000
        raise ValueError(
            f"VBA project too large: needs {n_fat} FAT sectors, the limit without DIFAT is 109 (~{limit} MB)"
        )
    return n_fat


def _chain_starts(n_fat: int, counts: list[int]) -> list[int]:
    """First sector of each contiguous chain laid out after the FAT (ENDOFCHAIN if empty)."""
    starts, current = [], n_fat
    for count in counts:
        starts.append(current if count else _ENDOFCHAIN)
        current += count
    return starts


def _fat(n_fat: int, counts: list[int]) -> bytes:
    """The FAT (MS-CFB 2.3): FAT sectors marked FATSECT, then one chain per payload."""
    ids = [_FATSECT] * n_fat
    for count in counts:
        ids += _chain(len(ids), count)
    return _pack_ids(ids)


def _directory(entries: list[_Entry]) -> bytes:
    """The directory stream (MS-CFB 2.6): used entries, then unallocated ones to fill the sector."""
    unused = -len(entries) % (_SECTOR // _ENTRY_SIZE)
    return b"".join(map(_directory_entry, entries)) + _unused_entry() * unused


def _directory_entry(entry: _Entry) -> bytes:
    """Pack one 128-byte directory entry (MS-CFB 2.6.1); storages keep start 0 and size 0."""
    name = entry.name.encode("utf-16-le") + b"\x00\x00"
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name, len(name), entry.kind, entry.color,
        entry.left, entry.right, entry.child,
        bytes(16), 0, 0, 0, entry.start, entry.size,
    )


def _unused_entry() -> bytes:
    """An unallocated directory entry: zeros, with sibling and child IDs NOSTREAM (MS-CFB 2.6.3)."""
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        b"", 0, 0, 0,
        _NOSTREAM, _NOSTREAM, _NOSTREAM,
        bytes(16), 0, 0, 0, 0, 0,
    )


def _header(n_fat: int, first_directory: int, first_mini_fat: int, n_mini_fat: int) -> bytes:
    """The 512-byte header of a version 3 file (MS-CFB 2.2), with the FAT sectors in its DIFAT array."""
    difat = list(range(n_fat)) + [_FREESECT] * (_HEADER_DIFAT - n_fat)
    return struct.pack(
        "<8s16sHHHHH6sIIIIIIIII109I",
        _CFB_SIGNATURE, bytes(16), 0x003E, 0x0003, 0xFFFE, 9, 6, bytes(6),
        0, n_fat, first_directory, 0, _MINI_CUTOFF,
        first_mini_fat, n_mini_fat, _ENDOFCHAIN, 0,
        *difat,
    )
