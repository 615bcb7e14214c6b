"""Validation of ``method.transform: log10`` (the log transform of permeability-like properties).

``log10`` is a transform of the *property*, applied before the trend is fitted (see
:mod:`krigflow.run.log_space`), so unlike the normal score (a transform of the conditional method's
residuals) it is also natural for the ``subsample`` method: each realization is ``10 ** (kriged log10)``.
:func:`method_keys_to_check` lets ``method: {name: subsample, transform: log10}`` through the check that
refuses conditional-only keys with ``subsample``.
"""
from __future__ import annotations

__all__ = ["LOG_TRANSFORMS", "method_keys_to_check"]

#: Property transforms of a run (``method.transform``), for either method.
LOG_TRANSFORMS = ("log10",)


def method_keys_to_check(name, method) -> dict:
    """The ``method`` section whose method-specific keys are checked against the method ``name``.

    ``transform: log10`` is accepted with both methods, so it is taken out for ``subsample``; every
    other conditional-only key (``transform: normal_score`` or ``none``, ``tails``, ``zmin``...) still is
    refused there by the caller.

    Examples
    --------
    >>> method_keys_to_check("subsample", {"transform": "log10", "fraction": 0.5})
    {'fraction': 0.5}
    >>> method_keys_to_check("subsample", {"transform": "none"})
    {'transform': 'none'}
    """
    if name == "subsample" and method.get("transform") in LOG_TRANSFORMS:
        return {k: v for k, v in method.items() if k != "transform"}
    return method
