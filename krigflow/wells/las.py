"""Robust LAS reading: encoding detection, validation and null handling around lasio.

:func:`read_las` is the only place in krigflow that imports lasio. It

1. detects the text encoding itself (byte-order mark, then UTF-16 without
   BOM, then strict UTF-8, then cp1252, then latin-1) and hands lasio decoded text,
   because lasio on its own guesses from the first chunk only and replaces bad
   bytes silently;
2. wraps every lasio failure in :class:`~krigflow.exceptions.LASReadError`
   naming the file;
3. validates the result: at least one numeric data curve and rows of data, a
   numeric depth index that is strictly monotonic (a decreasing file is
   reversed, a non-monotonic one is rejected), depth in metres (feet converted);
4. turns the declared NULL and common undeclared sentinels (:data:`SENTINELS`)
   into NaN, with a warning naming the curves and the share of values affected.
"""
from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

from krigflow.exceptions import LASReadError

logger = logging.getLogger(__name__)

#: Undeclared missing-value codes seen in real files (exact matches become NaN in data curves).
SENTINELS = (-999.25, -999.0, -9999.0, -9999.25, -99999.0, -999999.0, -999.99)

#: Depth units meaning feet (upper case); converted to metres.
FEET_UNITS = frozenset({"FT", "F", "FEET", "FOOT", "'", "FT.", "USFT", "FT_US"})
#: Depth units meaning metres (upper case); also Cyrillic spellings seen in real files.
METRE_UNITS = frozenset({"M", "MTR", "METER", "METERS", "METRE", "METRES", "М", "МЕТЕР", "МЕТР", "M."})
FOOT = 0.3048

#: A share of undeclared sentinel values above which the warning says the NULL is probably wrong.
LARGE_SENTINEL_SHARE = 0.05


class HeaderEntry(NamedTuple):
    """One item of a LAS ``~Well`` or ``~Parameter`` section."""

    section: str
    unit: str
    value: str
    descr: str


@dataclass(frozen=True, eq=False)
class LogData:
    """The validated content of one LAS file.

    Parameters
    ----------
    path : str
        The file read.
    well_name : str
        ``WELL`` item of ``~Well`` (empty if missing).
    index : array, shape (n,)
        Measured depth of each row in metres, strictly increasing.
    curves : dict of str to array, shape (n,)
        Data curves (the index excluded) by mnemonic, float64, NaN where null.
    units : dict of str to str
        Unit of each curve as written in the file.
    header : dict of str to HeaderEntry
        Items of ``~Well`` then ``~Parameter`` by upper-case mnemonic (the first
        occurrence wins).
    encoding : str
        Text encoding detected and used.
    index_unit : str
        Depth unit as written in the file (the index is converted to metres).
    null_value : float or None
        Declared NULL value.
    comments : tuple of str
        Comment lines (``#``) of the header part of the file, in order.
    warnings : tuple of str
        Problems found that did not prevent reading.
    """

    path: str
    well_name: str
    index: np.ndarray
    curves: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)
    header: dict = field(default_factory=dict)
    encoding: str = ""
    index_unit: str = ""
    null_value: float | None = None
    comments: tuple = ()
    warnings: tuple = ()

    def header_value(self, *mnemonics: str) -> str | None:
        """Value of the first of ``mnemonics`` present and non-empty in the header, or None.

        Parameters
        ----------
        *mnemonics : str
            Header mnemonics to try, in order (case-insensitive).

        Returns
        -------
        str or None
        """
        for mnem in mnemonics:
            entry = self.header.get(mnem.upper())
            if entry is not None and entry.value.strip():
                return entry.value.strip()
        return None


# --------------------------------------------------------------------------- encoding
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def detect_encoding(raw: bytes) -> str:
    """Detect the text encoding of a LAS file's bytes.

    Order: byte-order mark; UTF-16 without BOM (recognised by NUL bytes in
    every other position, and nowhere else); strict UTF-8 (ASCII files come
    out as ``"ascii"``); strict cp1252; latin-1 (never fails).

    Parameters
    ----------
    raw : bytes
        Content of the file.

    Returns
    -------
    str
        A codec name usable with :meth:`bytes.decode`.

    Examples
    --------
    >>> detect_encoding("DEPT.M  °".encode("utf-8"))
    'utf-8'
    >>> detect_encoding("DEPT.M  °".encode("cp1252"))
    'cp1252'
    """
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return name
    utf16 = _utf16_without_bom(raw[:4096])
    if utf16 is not None:  # before ASCII: the NUL bytes of ASCII text in UTF-16 are valid ASCII
        try:
            raw.decode(utf16)
            return utf16
        except UnicodeDecodeError:
            pass
    try:
        raw.decode("ascii")
        return "ascii"
    except UnicodeDecodeError:
        pass
    for name in ("utf-8", "cp1252"):
        try:
            raw.decode(name)
            return name
        except UnicodeDecodeError:
            continue
    return "latin-1"


def _utf16_without_bom(head: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` if NUL bytes fill every other position of ``head``, else None.

    Text in UTF-16 has the high byte of each code unit NUL for ASCII characters (most of a LAS file),
    and the other byte almost never NUL; binary data has NULs in both positions.

    Examples
    --------
    >>> _utf16_without_bom("~Version".encode("utf-16-be")), _utf16_without_bom(bytes(8))
    ('utf-16-be', None)
    """
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nul > 0.5 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.5 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def _decode(raw: bytes, path: Path) -> tuple[str, str]:
    """Decode bytes with the detected encoding, failing clearly if that is impossible."""
    encoding = detect_encoding(raw)
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise LASReadError(f"LAS file {path}: cannot decode as {encoding} ({exc.reason})") from None
    if "\x00" in text:
        raise LASReadError(f"LAS file {path}: contains NUL characters after decoding as {encoding}; "
                           "is it a binary file?")
    return text, encoding


# --------------------------------------------------------------------------- helpers
class _LasioLogCapture(logging.Handler):
    """Collects lasio's log messages (warnings and above) during one read."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:  # pragma: no cover - trivial
        msg = record.getMessage()
        if "engine='normal'" not in msg:  # an internal lasio note, not about the file
            self.messages.append(f"lasio: {msg}")


def _header_comments(text: str) -> tuple[str, ...]:
    """Comment lines before the ``~A`` section."""
    out = []
    for line in text.splitlines():
        stripped = line.lstrip()
        if stripped[:2].upper() == "~A":
            break
        if stripped.startswith("#"):
            out.append(line.rstrip())
    return tuple(out)


def _to_float(values, mnemonic: str, path: Path, warnings: list[str]) -> np.ndarray | None:
    """Convert a lasio curve to float64; non-numeric tokens become NaN (with a warning)."""
    arr = np.asarray(values)
    if arr.dtype.kind in "fiub":
        return arr.astype(float)
    out = np.full(arr.shape, np.nan)
    bad = []
    for i, v in enumerate(arr.ravel()):
        try:
            out[i] = float(str(v).replace(",", ".")) if str(v).strip() else np.nan
        except ValueError:
            bad.append(str(v))
    if bad and len(bad) == arr.size:
        warnings.append(f"curve {mnemonic} is not numeric (e.g. {bad[0]!r}): ignored")
        return None
    if bad:
        examples = ", ".join(repr(b) for b in sorted(set(bad))[:3])
        warnings.append(f"curve {mnemonic}: {len(bad)} non-numeric values ({examples}) treated as null")
    return out


def _parse_number(value) -> float | None:
    """A header value as float, or None when it is not a plain number."""
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) else None


def _depth_factor(unit: str, path: Path, warnings: list[str]) -> float:
    """Multiplier turning the index unit into metres."""
    u = unit.strip().upper()
    if u in FEET_UNITS:
        return FOOT
    if u in METRE_UNITS:
        return 1.0
    if u:
        warnings.append(f"depth unit {unit!r} not recognised: assumed metres")
    else:
        warnings.append("depth unit not given: assumed metres")
    return 1.0


def _check_index(index: np.ndarray, path: Path, warnings: list[str]) -> np.ndarray | None:
    """Validate the depth index; return the row order to use (None if already increasing)."""
    if index.size == 0:
        raise LASReadError(f"LAS file {path}: no data rows in ~A")
    if not np.all(np.isfinite(index)):
        n_bad = int(np.sum(~np.isfinite(index)))
        raise LASReadError(f"LAS file {path}: depth index has {n_bad} missing or non-numeric values")
    if index.size == 1:
        raise LASReadError(f"LAS file {path}: only one data row (depth {index[0]:g}); a log needs at least two")
    step = np.diff(index)
    if np.all(step > 0):
        return None
    if np.all(step < 0):
        warnings.append("depth index decreasing in the file: rows reversed")
        return np.arange(index.size)[::-1]
    i = int(np.argmax(step <= 0)) if step[0] > 0 else int(np.argmax(step >= 0))
    raise LASReadError(
        f"LAS file {path}: depth index is not strictly monotonic (row {i + 1}: {index[i]:g} then "
        f"row {i + 2}: {index[i + 1]:g}); repeated or out-of-order depths"
    )


def _apply_nulls(curves: dict, null_value: float | None, warnings: list[str]) -> None:
    """Replace the declared NULL and undeclared sentinels by NaN, in place."""
    sentinel_hits: dict[float, list[tuple[str, int]]] = {}
    total = 0
    for mnem, arr in curves.items():
        total += arr.size
        if null_value is not None:
            arr[np.isclose(arr, null_value, rtol=0.0, atol=1e-9)] = np.nan
        for s in SENTINELS:
            if null_value is not None and np.isclose(s, null_value, rtol=0.0, atol=1e-9):
                continue
            hit = arr == s
            n = int(hit.sum())
            if n:
                arr[hit] = np.nan
                sentinel_hits.setdefault(s, []).append((mnem, n))
    for s, hits in sentinel_hits.items():
        n = sum(c for _, c in hits)
        share = n / max(total, 1)
        names = ", ".join(m for m, _ in hits[:6]) + (", ..." if len(hits) > 6 else "")
        declared = "no NULL declared" if null_value is None else f"declared NULL is {null_value:g}"
        msg = (f"{n} values ({share:.0%} of all data) equal the undeclared sentinel {s:g} "
               f"in {len(hits)} curves ({names}); treated as null ({declared})")
        if share >= LARGE_SENTINEL_SHARE:
            msg += ": the declared NULL is probably wrong"
        warnings.append(msg)


def _check_row_count(las, raw_index: np.ndarray, path: Path, warnings: list[str]) -> None:
    """Warn when STRT/STOP/STEP disagree with the data rows."""
    def item(name):
        try:
            return _parse_number(las.well[name].value)
        except (KeyError, AttributeError):
            return None

    strt, stop, step = item("STRT"), item("STOP"), item("STEP")
    if strt is None or stop is None:
        return
    lo, hi = min(raw_index[0], raw_index[-1]), max(raw_index[0], raw_index[-1])
    span = hi - lo
    tol = max(abs(step or 0.0), 1e-6 * max(abs(hi), 1.0)) * 1.01
    if abs(min(strt, stop) - lo) > tol or abs(max(strt, stop) - hi) > tol:
        warnings.append(
            f"header STRT/STOP ({strt:g} to {stop:g}) disagree with the data ({raw_index[0]:g} to "
            f"{raw_index[-1]:g}); the data are used"
        )
    elif step and span > 0:
        expected = int(round(span / abs(step))) + 1
        if expected != raw_index.size:
            warnings.append(
                f"{raw_index.size} data rows, but STRT/STOP/STEP imply {expected}; the data are used"
            )


def _header_items(las) -> dict:
    """~Well then ~Parameter items by upper-case mnemonic; the first occurrence wins."""
    out: dict[str, HeaderEntry] = {}
    for section_name, label in (("Well", "~Well"), ("Parameter", "~Parameter")):
        section = las.sections.get(section_name, [])
        for item in section:
            key = str(item.mnemonic).split(":")[0].strip().upper()
            if key and key not in out:
                out[key] = HeaderEntry(label, str(item.unit or ""), str(item.value), str(item.descr or ""))
    return out


# --------------------------------------------------------------------------- reader
def read_las(path) -> LogData:
    """Read and validate one LAS file.

    Parameters
    ----------
    path : str or Path
        LAS file (LAS 1.2, 2.0 or the subset of 3.0 that lasio reads).

    Returns
    -------
    LogData
        Depth in metres, increasing; data curves as float64 with NaN for nulls.

    Raises
    ------
    LASReadError
        If the file cannot be read or decoded, lasio fails on it, or the result
        is not usable: no data curve, no rows, a non-numeric or non-monotonic
        depth index. The message names the file and the problem.

    Examples
    --------
    >>> import tempfile, os
    >>> text = ("~V\\nVERS. 2.0 :\\nWRAP. NO :\\n~W\\nNULL. -999.25 :\\nWELL. A-1 :\\n"
    ...         "~C\\nDEPT.M :\\nGR.gAPI :\\n~A\\n100 50\\n100.5 -999.25\\n")
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "a.las")
    ...     _ = open(p, "w").write(text)
    ...     log = read_las(p)
    >>> log.well_name, log.curves["GR"].tolist()
    ('A-1', [50.0, nan])
    """
    import lasio  # the only lasio import in krigflow

    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LASReadError(f"LAS file {path}: cannot read ({exc.strerror or exc})") from None
    if not raw.strip():
        raise LASReadError(f"LAS file {path}: the file is empty")
    text, encoding = _decode(raw, path)
    if not re.search(r"^\s*~", text, flags=re.MULTILINE):
        raise LASReadError(f"LAS file {path}: no ~ sections found; this is not a LAS file")
    if not re.search(r"^\s*~A", text, flags=re.MULTILINE | re.IGNORECASE) and not re.search(
        r"^\s*~\w*_?DATA", text, flags=re.MULTILINE | re.IGNORECASE
    ):
        raise LASReadError(f"LAS file {path}: no ~A (data) section; the file holds no log data")

    warnings: list[str] = []
    capture = _LasioLogCapture()
    lasio_logger = logging.getLogger("lasio")
    lasio_logger.addHandler(capture)
    try:
        las = lasio.read(text, null_policy="none", ignore_header_errors=False)
    except LASReadError:  # pragma: no cover - defensive
        raise
    except Exception as exc:  # lasio raises KeyError, TypeError, IndexError, ValueError, ...
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise LASReadError(
            f"LAS file {path}: lasio cannot parse it ({type(exc).__name__}: {msg[:200]})"
        ) from exc
    finally:
        lasio_logger.removeHandler(capture)
    warnings.extend(dict.fromkeys(capture.messages))
    return _validate(las, path, text, encoding, warnings)


def _validate(las, path: Path, text: str, encoding: str, warnings: list[str]) -> LogData:
    """Turn a lasio LASFile into a validated LogData."""
    curves_in = list(las.curves)
    if len(curves_in) == 0:
        raise LASReadError(f"LAS file {path}: no curves found (empty or truncated ~Curve section)")
    if len(curves_in) < 2:
        raise LASReadError(
            f"LAS file {path}: only the depth curve {curves_in[0].mnemonic!r}; no data curve to use"
        )
    index_curve = curves_in[0]
    raw_index = _to_float(index_curve.data, index_curve.mnemonic, path, [])
    if raw_index is None:
        raise LASReadError(
            f"LAS file {path}: depth index {index_curve.mnemonic!r} is not numeric "
            f"(e.g. {np.asarray(index_curve.data).ravel()[:1].tolist()})"
        )
    order = _check_index(raw_index, path, warnings)
    _check_row_count(las, raw_index, path, warnings)

    index_unit = str(index_curve.unit or "").strip()
    if not index_unit:
        try:
            index_unit = str(las.well["STRT"].unit or "").strip()
        except KeyError:
            index_unit = ""
    factor = _depth_factor(index_unit, path, warnings)
    index = raw_index * factor if order is None else raw_index[order] * factor
    if factor != 1.0:
        warnings.append(f"depth unit {index_unit!r}: converted to metres")

    curves: dict[str, np.ndarray] = {}
    units: dict[str, str] = {}
    for curve in curves_in[1:]:
        values = _to_float(curve.data, curve.mnemonic, path, warnings)
        if values is None:
            continue
        if values.shape != raw_index.shape:
            warnings.append(f"curve {curve.mnemonic}: {values.size} values for {raw_index.size} rows: ignored")
            continue
        mnem = str(curve.mnemonic)
        curves[mnem] = values if order is None else values[order]
        units[mnem] = str(curve.unit or "")
    if not curves:
        raise LASReadError(f"LAS file {path}: no numeric data curve besides the depth index")

    header = _header_items(las)
    null_entry = header.get("NULL")
    null_value = _parse_number(null_entry.value) if null_entry is not None else None
    if null_entry is None:
        warnings.append("no NULL item in ~Well: only common sentinels treated as null")
    _apply_nulls(curves, null_value, warnings)
    empty = [m for m, v in curves.items() if not np.any(np.isfinite(v))]
    if empty:
        warnings.append(f"curves with no valid value: {', '.join(empty)}")

    well_entry = header.get("WELL")
    well_name = well_entry.value.strip() if well_entry is not None else ""
    logger.debug("read %s: %d curves x %d rows (%s)", path, len(curves), index.size, encoding)
    return LogData(
        path=str(path),
        well_name=well_name,
        index=index,
        curves=curves,
        units=units,
        header=header,
        encoding=encoding,
        index_unit=index_unit,
        null_value=null_value,
        comments=_header_comments(text),
        warnings=tuple(warnings),
    )
