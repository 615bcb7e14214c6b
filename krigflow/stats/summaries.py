"""Per-realization summaries: a few scalars per realization, merged like the statistics and ranked.

Engineers carry geological uncertainty into a decision with whole realizations, usually the three whose
pore volume (or mean, or net fraction) is the P10, P50 and P90 of the ensemble. The run keeps no
realization, but each one yields a row of scalars while it is in memory; the rows of every worker, resume
and ``--realizations`` range are merged into one table keyed by the realization index
(``realizations.csv``), and any realization can then be regenerated exactly (``krigflow realize``).

Columns (in this order)
-----------------------
``mean``
    Mean of the property over the cells of the grid (NaN cells ignored).
``mean_<zone>``
    Mean over the cells of each zone, when a zone array is given.
``frac_gt_<cutoff>``
    Fraction of the cells whose value exceeds each cutoff (``cutoffs:`` of the run).
``volume``
    When ``volume:`` is configured (:func:`volume_spec`): the volume of the cells on the chosen side of a
    cutoff (net rock volume), times a constant porosity, or the sum of ``value * cell volume`` when the
    property is itself a porosity (pore volume).

Percentiles are numpy's default (linear interpolation between order statistics) over the realizations:
``p10`` is the value 10 % of the realizations fall below (krigflow's convention for per-cell quantiles
too). Reserve reporting (SPE-PRMS) names the same numbers the other way round: its P90 (90 % chance to be
exceeded) is our ``p10``.
"""
from __future__ import annotations

import csv
import io
import logging
import os
import tempfile
from dataclasses import dataclass, field

import numpy as np

from krigflow.exceptions import ConfigError, StatsError

logger = logging.getLogger(__name__)

__all__ = ["SummarySpec", "VolumeSpec", "SummaryTable", "volume_spec", "summary_columns", "summarize",
           "summary_spec", "summary_record", "volume_config",
           "frac_name", "PICKS", "REALIZATIONS_FILE"]

#: Default percentiles picked by ranking.
PICKS = (10.0, 50.0, 90.0)

#: File name of the table in a run's output folder.
REALIZATIONS_FILE = "realizations.csv"

_SIDES = ("above", "below")
_VOLUME_KEYS = ("cutoff", "side", "cell_volume", "porosity")


def frac_name(cutoff) -> str:
    """Column name of the fraction of cells above ``cutoff``.

    Examples
    --------
    >>> frac_name(60), frac_name(0.125)
    ('frac_gt_60', 'frac_gt_0.125')
    """
    return f"frac_gt_{float(cutoff):g}"


@dataclass(frozen=True)
class VolumeSpec:
    """How the ``volume`` column is computed from one realization.

    Parameters
    ----------
    cell_volume : float
        Volume of one cell (m3, > 0); by default the product of the grid spacing.
    cutoff : float or None
        Count only the cells on ``side`` of this value (None: every cell).
    side : {"above", "below"}
        ``above``: cells with value > cutoff (porosity, net-to-gross); ``below``: value < cutoff (gamma ray:
        sand is low GR).
    porosity : None, "property" or float
        None: the volume of the counted cells (net rock volume); a number in (0, 1]: that times a constant
        porosity; ``"property"``: the property is a porosity, and the volume is the sum of ``value *
        cell_volume`` over the counted cells (pore volume).
    cell_volumes : float array, shape of the grid, optional
        The bulk volume of each cell (m3), used instead of ``cell_volume`` when given: the cells of a
        corner-point grid differ in thickness (:meth:`krigflow.zones.StratigraphicGrid.bulk_volumes`).

    Examples
    --------
    >>> v = VolumeSpec(cell_volume=1.0, cutoff=0.5, cell_volumes=np.array([[[2.0, 3.0]]]))
    >>> v.of(np.array([[[[0.7, 0.2]]], [[[0.9, 0.6]]]])).tolist()
    [2.0, 5.0]
    """

    cell_volume: float
    cutoff: float | None = None
    side: str = "above"
    porosity: object = None
    cell_volumes: np.ndarray | None = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        if not (np.isfinite(self.cell_volume) and self.cell_volume > 0):
            raise ConfigError(f"volume.cell_volume must be a number > 0, got {self.cell_volume!r}")
        if self.side not in _SIDES:
            raise ConfigError(f"volume.side must be one of {_SIDES}, got {self.side!r}")
        if self.cutoff is not None and not np.isfinite(self.cutoff):
            raise ConfigError(f"volume.cutoff must be a finite number or null, got {self.cutoff!r}")
        p = self.porosity
        if not (p is None or p == "property" or (isinstance(p, (int, float)) and not isinstance(p, bool)
                                                 and 0 < p <= 1)):
            raise ConfigError(f"volume.porosity must be null, 'property' or a number in (0, 1], got {p!r}")

    def of(self, fields) -> np.ndarray:
        """Volume of each realization of ``fields`` (shape (R, ...)): one value per realization."""
        fields = np.asarray(fields, dtype=np.float64)
        flat = fields.reshape(fields.shape[0], -1)
        finite = np.isfinite(flat)
        if self.cutoff is None:
            keep = finite
        elif self.side == "above":
            keep = finite & (flat > self.cutoff)
        else:
            keep = finite & (flat < self.cutoff)
        if self.cell_volumes is not None:
            volumes = np.asarray(self.cell_volumes, dtype=np.float64).reshape(-1)
            if volumes.size != flat.shape[1]:
                raise StatsError(f"volume: {volumes.size} cell volumes for realizations of {flat.shape[1]} cells")
            if self.porosity == "property":
                return np.where(keep, flat * volumes, 0.0).sum(axis=1)
            factor = 1.0 if self.porosity is None else float(self.porosity)
            return np.where(keep, volumes, 0.0).sum(axis=1) * factor
        if self.porosity == "property":
            return np.where(keep, flat, 0.0).sum(axis=1) * self.cell_volume
        factor = 1.0 if self.porosity is None else float(self.porosity)
        return keep.sum(axis=1) * (self.cell_volume * factor)


def volume_spec(raw, spacing=None) -> VolumeSpec | None:
    """Validate the ``volume:`` section of a run configuration.

    Parameters
    ----------
    raw : dict or None
        ``{cutoff, side, cell_volume, porosity}`` (all optional; see :class:`VolumeSpec`), or None for no
        volume column.
    spacing : sequence of 3 float, optional
        Grid spacing; ``cell_volume`` defaults to its product.

    Returns
    -------
    VolumeSpec or None

    Raises
    ------
    krigflow.exceptions.ConfigError
        Unknown key or bad value, naming it.

    Examples
    --------
    >>> volume_spec({"cutoff": 0.1, "porosity": "property"}, spacing=(50.0, 50.0, 2.0))
    VolumeSpec(cell_volume=5000.0, cutoff=0.1, side='above', porosity='property')
    """
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ConfigError(f"volume must be a mapping with keys {_VOLUME_KEYS}, got {raw!r}")
    unknown = sorted(set(raw) - set(_VOLUME_KEYS))
    if unknown:
        raise ConfigError(f"volume: unknown key(s) {unknown}; expected some of {_VOLUME_KEYS}")
    cell_volume = raw.get("cell_volume")
    if cell_volume is None:
        if spacing is None:
            raise ConfigError("volume.cell_volume is needed when the grid spacing is not known")
        cell_volume = float(np.prod(np.asarray(spacing, dtype=float)))
    try:
        cell_volume = float(cell_volume)
        cutoff = None if raw.get("cutoff") is None else float(raw["cutoff"])
    except (TypeError, ValueError):
        raise ConfigError(f"volume.cell_volume and volume.cutoff must be numbers, got "
                          f"{raw.get('cell_volume')!r}, {raw.get('cutoff')!r}") from None
    return VolumeSpec(cell_volume=cell_volume, cutoff=cutoff, side=raw.get("side", "above"),
                      porosity=raw.get("porosity"))


def volume_config(raw, spacing=None) -> dict | None:
    """The validated ``volume`` section of a run configuration, as stored in the config (or None).

    Like :func:`volume_spec`, but keeps ``cell_volume`` as given (None: from the grid spacing) so the
    configuration stays what the user wrote.

    Examples
    --------
    >>> volume_config({"cutoff": 60, "side": "below"}, (10, 10, 1))
    {'cutoff': 60.0, 'side': 'below', 'cell_volume': None, 'porosity': None}
    """
    spec = volume_spec(raw, spacing)
    if spec is None:
        return None
    return {"cutoff": spec.cutoff, "side": spec.side, "cell_volume": raw.get("cell_volume"), "porosity": spec.porosity}


@dataclass(frozen=True)
class SummarySpec:
    """What is summarized per realization (the same in every worker).

    Parameters
    ----------
    cutoffs : tuple of float
        One ``frac_gt_<cutoff>`` column each.
    zones : int array, shape of the grid, optional
        Zone code of each cell (< 0: in no zone); one ``mean_<zone>`` column per code >= 0 present.
    zone_names : dict of int to str, optional
        Names of the zone codes (default ``zone<code>``).
    volume : VolumeSpec, optional
        Adds the ``volume`` column.
    """

    cutoffs: tuple = ()
    zones: np.ndarray | None = field(default=None, compare=False)
    zone_names: dict | None = None
    volume: VolumeSpec | None = None

    def __post_init__(self):
        object.__setattr__(self, "cutoffs", tuple(float(c) for c in self.cutoffs))
        if self.zones is not None:
            zones = np.asarray(self.zones)
            if not np.issubdtype(zones.dtype, np.integer):
                raise ConfigError(f"summary zones must be an integer array, got dtype {zones.dtype}")
            object.__setattr__(self, "zones", zones)

    def zone_codes(self) -> list:
        """Zone codes (>= 0) present in :attr:`zones`, increasing."""
        if self.zones is None:
            return []
        return [int(c) for c in np.unique(self.zones) if c >= 0]

    def zone_name(self, code) -> str:
        """Name of zone ``code``."""
        names = self.zone_names or {}
        return str(names.get(code, names.get(str(code), f"zone{code}")))


def summary_columns(spec) -> tuple:
    """Column names of the summaries of ``spec`` (see the module docstring for their order).

    Examples
    --------
    >>> summary_columns(SummarySpec(cutoffs=(60.0, 80.0), volume=VolumeSpec(cell_volume=1.0)))
    ('mean', 'frac_gt_60', 'frac_gt_80', 'volume')
    """
    cols = ["mean"] + [f"mean_{spec.zone_name(c)}" for c in spec.zone_codes()]
    cols += [frac_name(c) for c in spec.cutoffs]
    if spec.volume is not None:
        cols.append("volume")
    return tuple(cols)


#: Cells per chunk of :func:`summarize` (fixed, whatever the batch: same sums in every mapping).
SUMMARY_CHUNK = 1 << 18


def summarize(fields, spec) -> np.ndarray:
    """Summaries of each realization of a batch.

    Parameters
    ----------
    fields : array, shape (R, nx, ny, nz)
        Realizations (NaN cells ignored).
    spec : SummarySpec

    Returns
    -------
    float64 array, shape (R, len(summary_columns(spec)))
        One row per realization, columns as :func:`summary_columns`.

    Examples
    --------
    >>> fields = np.arange(8.0).reshape(2, 2, 2, 1)     # realization 0: 0..3, realization 1: 4..7
    >>> summarize(fields, SummarySpec(cutoffs=(2.5,))).tolist()
    [[1.5, 0.25], [5.5, 1.0]]
    """
    fields = np.asarray(fields)
    if fields.dtype not in (np.float32, np.float64):
        fields = fields.astype(np.float64)
    if fields.ndim < 2:
        raise StatsError(f"summarize: need a batch of realizations (R, ...), got shape {fields.shape}")
    flat = fields.reshape(fields.shape[0], -1)
    zones, codes = None, ()
    if spec.zones is not None:
        zones = spec.zones.reshape(-1)
        if zones.size != flat.shape[1]:
            raise StatsError(f"summarize: zone array has {zones.size} cells, realizations have "
                                f"{flat.shape[1]}")
        codes = tuple(spec.zone_codes())
    n_real = flat.shape[0]
    n_finite, total = np.zeros(n_real, dtype=np.int64), np.zeros(n_real)
    zone_sum, zone_count = np.zeros((len(codes), n_real)), np.zeros((len(codes), n_real), dtype=np.int64)
    above = np.zeros((len(spec.cutoffs), n_real), dtype=np.int64)
    volume = np.zeros(n_real)
    # chunks of a fixed number of cells, in float64: bounded temporaries, and a realization's sums do not
    # depend on the batch it was computed in
    for start in range(0, flat.shape[1], SUMMARY_CHUNK):
        part = np.asarray(flat[:, start:start + SUMMARY_CHUNK], dtype=np.float64)
        finite = np.isfinite(part)
        zero = np.where(finite, part, 0.0)
        n_finite += finite.sum(axis=1)
        total += zero.sum(axis=1)
        for q, code in enumerate(codes):
            inside = zones[start:start + SUMMARY_CHUNK] == code
            zone_sum[q] += zero[:, inside].sum(axis=1)
            zone_count[q] += finite[:, inside].sum(axis=1)
        for k, cutoff in enumerate(spec.cutoffs):
            above[k] += (finite & (part > cutoff)).sum(axis=1)
        if spec.volume is not None:
            volume += spec.volume.of(part)
    with np.errstate(invalid="ignore", divide="ignore"):
        cols = [total / n_finite, *(zone_sum / zone_count), *(above / n_finite)]
    if spec.volume is not None:
        cols.append(volume)
    return np.stack(cols, axis=1).astype(np.float64)


def summary_spec(config, spacing=None, *, zones=None, zone_names=None, cell_volumes=None) -> SummarySpec:
    """The :class:`SummarySpec` of a run: its ``cutoffs``, its ``volume`` section and its zones.

    Parameters
    ----------
    config : dict
        Validated configuration (``cutoffs``, optional ``volume``).
    spacing : sequence of 3 float, optional
        Grid spacing (default cell volume).
    zones : int array, shape of the grid, optional
        Zone code per cell (< 0: none).
    zone_names : dict of int to str, optional
    cell_volumes : float array, shape of the grid, optional
        Bulk volume of each cell (a corner-point grid's), used by ``volume`` unless ``volume.cell_volume``
        is configured.

    Returns
    -------
    SummarySpec

    Examples
    --------
    >>> summary_columns(summary_spec({"cutoffs": [80.0], "volume": {"cutoff": 60, "side": "below"}}, (10, 10, 1)))
    ('mean', 'frac_gt_80', 'volume')
    """
    volume = volume_spec(config.get("volume"), spacing)
    if volume is not None and cell_volumes is not None and (config.get("volume") or {}).get("cell_volume") is None:
        import dataclasses

        volume = dataclasses.replace(volume, cell_volumes=np.asarray(cell_volumes, dtype=np.float64))
    return SummarySpec(cutoffs=tuple(config.get("cutoffs") or ()), zones=zones, zone_names=zone_names,
                       volume=volume)


def summary_record(table, q=PICKS) -> dict:
    """The ``realization_summaries`` entry of ``summary.json``: file, columns, count and percentiles.

    Examples
    --------
    >>> summary_record(SummaryTable(("mean",), [0, 1, 2], [[1.0], [2.0], [3.0]]))["percentiles"]
    {'mean': {'p10': 1.2, 'p50': 2.0, 'p90': 2.8}}
    """
    return {"file": REALIZATIONS_FILE, "columns": list(table.columns), "realizations": len(table),
            "percentiles": table.percentiles(q)}


@dataclass(frozen=True, eq=False)
class SummaryTable:
    """Per-realization summaries: one row per realization index, sorted by index.

    Parameters
    ----------
    columns : tuple of str
        Column names.
    index : int64 array, shape (k,)
        Realization indices, increasing and unique.
    values : float64 array, shape (k, len(columns))

    Examples
    --------
    >>> a = SummaryTable(("mean",), [2, 0], [[5.0], [3.0]])
    >>> b = SummaryTable(("mean",), [1], [[4.0]])
    >>> t = b.merge(a)
    >>> t.index.tolist(), t.column("mean").tolist()
    ([0, 1, 2], [3.0, 4.0, 5.0])
    """

    columns: tuple
    index: np.ndarray
    values: np.ndarray

    def __post_init__(self):
        columns = tuple(str(c) for c in self.columns)
        index = np.asarray(self.index, dtype=np.int64).reshape(-1)
        values = np.asarray(self.values, dtype=np.float64).reshape(index.size, len(columns))
        order = np.argsort(index, kind="stable")
        index, values = index[order], values[order]
        if index.size > 1 and np.any(np.diff(index) == 0):
            dup = np.unique(index[1:][np.diff(index) == 0])
            raise StatsError(f"realization summaries: realization(s) {dup[:10].tolist()} appear more than once")
        if len(set(columns)) != len(columns):
            raise StatsError(f"realization summaries: duplicate column names in {columns}")
        object.__setattr__(self, "columns", columns)
        object.__setattr__(self, "index", index)
        object.__setattr__(self, "values", values)

    @classmethod
    def empty(cls, columns) -> SummaryTable:
        """A table with these columns and no row."""
        return cls(tuple(columns), np.zeros(0, np.int64), np.zeros((0, len(tuple(columns)))))

    @classmethod
    def from_batch(cls, indices, fields, spec) -> SummaryTable:
        """Summaries of a batch of realizations ``fields`` (R, ...) with indices ``indices`` (R,)."""
        return cls(summary_columns(spec), indices, summarize(fields, spec))

    def __len__(self) -> int:
        return int(self.index.size)

    def __eq__(self, other) -> bool:
        return (isinstance(other, SummaryTable) and self.columns == other.columns
                and np.array_equal(self.index, other.index)
                and np.array_equal(self.values, other.values, equal_nan=True))

    def merge(self, *others) -> SummaryTable:
        """Rows of this table and of ``others`` (same columns, disjoint realizations), sorted by index.

        Raises
        ------
        krigflow.exceptions.StatsError
            Different columns (naming both), or a realization in two tables.
        """
        tables = [self, *others]
        for t in tables[1:]:
            if t.columns != self.columns and len(t) and len(self):
                raise StatsError(f"realization summaries with different columns cannot be merged: "
                                    f"{list(self.columns)} and {list(t.columns)}")
        tables = [t for t in tables if len(t)] or [self]
        return SummaryTable(tables[0].columns, np.concatenate([t.index for t in tables]),
                            np.concatenate([t.values for t in tables]))

    def column(self, name) -> np.ndarray:
        """Values of one column (a copy), in index order.

        Raises
        ------
        krigflow.exceptions.StatsError
            Unknown column, listing the available ones.
        """
        if name not in self.columns:
            raise StatsError(f"no summary column {name!r}; the columns are {list(self.columns)}")
        return self.values[:, self.columns.index(name)].copy()

    def row(self, realization) -> dict:
        """Summaries of one realization as ``{column: value}``."""
        hit = np.flatnonzero(self.index == int(realization))
        if hit.size == 0:
            raise StatsError(f"realization {realization} is not in the summaries "
                                f"({len(self)} realizations)")
        return dict(zip(self.columns, self.values[hit[0]].tolist()))

    # --- across realizations --------------------------------------------------------------------------------

    def percentiles(self, q=PICKS) -> dict:
        """Percentiles of every column across realizations (NaN ignored).

        Returns
        -------
        dict
            ``{column: {"p10": ..., "p50": ..., "p90": ...}}`` (JSON-ready; None for an empty column).

        Examples
        --------
        >>> SummaryTable(("mean",), range(5), [[1.0], [2.0], [3.0], [4.0], [5.0]]).percentiles()
        {'mean': {'p10': 1.4, 'p50': 3.0, 'p90': 4.6}}
        """
        out = {}
        for j, name in enumerate(self.columns):
            col = self.values[:, j]
            col = col[np.isfinite(col)]
            out[name] = {f"p{float(p):g}": (float(np.percentile(col, p)) if col.size else None) for p in q}
        return out

    def closest(self, column, picks=PICKS) -> list:
        """Realizations whose ``column`` is closest to given percentiles of it (the P10/P50/P90 realizations).

        Parameters
        ----------
        column : str
            Summary column to rank by.
        picks : sequence of float, default (10, 50, 90)
            Percentiles (0-100).

        Returns
        -------
        list of dict
            Per pick: ``pick`` (percentile), ``target`` (the percentile's value), ``realization`` (index
            of the closest realization; ties go to the smaller index) and its ``value``.

        Raises
        ------
        krigflow.exceptions.StatsError
            Unknown column, a pick outside [0, 100], or no finite value.

        Examples
        --------
        >>> t = SummaryTable(("volume",), [0, 1, 2, 3, 4], [[10.0], [50.0], [20.0], [40.0], [30.0]])
        >>> [(p["pick"], p["realization"]) for p in t.closest("volume", (10, 50, 90))]
        [(10.0, 0), (50.0, 4), (90.0, 1)]
        """
        values = self.column(column)
        ok = np.isfinite(values)
        if not np.any(ok):
            raise StatsError(f"summary column {column!r} has no finite value to rank")
        out = []
        for p in picks:
            p = float(p)
            if not 0.0 <= p <= 100.0:
                raise StatsError(f"percentile picks must be within 0-100, got {p:g}")
            target = float(np.percentile(values[ok], p))
            dist = np.where(ok, np.abs(values - target), np.inf)
            i = int(np.argmin(dist))
            out.append({"pick": p, "target": target, "realization": int(self.index[i]), "value": float(values[i])})
        return out

    # --- CSV ------------------------------------------------------------------------------------------------

    def to_csv_text(self) -> str:
        """CSV text: a ``realization`` column then the summaries; floats written exactly (``repr``)."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["realization", *self.columns])
        for r, row in zip(self.index.tolist(), self.values.tolist()):
            writer.writerow([r, *(repr(float(v)) for v in row)])
        return buf.getvalue()

    @classmethod
    def from_csv_text(cls, text, source="realizations.csv") -> SummaryTable:
        """Parse :meth:`to_csv_text` output.

        Raises
        ------
        krigflow.exceptions.StatsError
            Missing ``realization`` header, or a row of the wrong length or not numbers (naming the line).
        """
        rows = list(csv.reader(io.StringIO(text)))
        if not rows or not rows[0] or rows[0][0] != "realization":
            raise StatsError(f"{source}: the first line must be the header 'realization,<columns>'")
        columns = tuple(rows[0][1:])
        index, values = [], []
        for line, row in enumerate(rows[1:], start=2):
            if not row:
                continue
            if len(row) != len(columns) + 1:
                raise StatsError(f"{source}, line {line}: {len(row)} fields, expected {len(columns) + 1}")
            try:
                index.append(int(row[0]))
                values.append([float(v) for v in row[1:]])
            except ValueError:
                raise StatsError(f"{source}, line {line}: expected an integer and numbers, got {row}") from None
        return cls(columns, np.asarray(index, dtype=np.int64), np.asarray(values, dtype=np.float64).reshape(
            len(index), len(columns)))

    def write_csv(self, path) -> str:
        """Write the table to ``path`` atomically (a reader never sees half a file); return the path."""
        path = os.fspath(path)
        folder = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(prefix=".realizations-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(self.to_csv_text())
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return path

    @classmethod
    def read_csv(cls, path) -> SummaryTable:
        """Read a table written by :meth:`write_csv`.

        Raises
        ------
        krigflow.exceptions.StatsError
            The file is missing (naming it) or malformed.
        """
        path = os.fspath(path)
        try:
            with open(path, encoding="utf-8", newline="") as fh:
                text = fh.read()
        except FileNotFoundError:
            raise StatsError(f"{path}: no realization summaries (the run wrote none, or is older than "
                                f"realizations.csv)") from None
        return cls.from_csv_text(text, source=path)

    # --- messages and partial files -------------------------------------------------------------------------

    def to_arrays(self) -> dict:
        """Plain arrays (picklable message, npz members): ``summary_columns``, ``summary_index``, ``summary_values``."""
        return {"summary_columns": np.asarray(self.columns, dtype=str), "summary_index": self.index,
                "summary_values": self.values}

    @classmethod
    def from_arrays(cls, arrays) -> SummaryTable:
        """Inverse of :meth:`to_arrays` (a mapping holding its three keys)."""
        return cls(tuple(str(c) for c in np.asarray(arrays["summary_columns"]).tolist()),
                   arrays["summary_index"], arrays["summary_values"])


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
