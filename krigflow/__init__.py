"""krigflow: well logs to 3-D property models with stochastic kriging.

The core package is pure numpy/scipy (lasio only for reading LAS files) and can
be used without dispel4py. See ``docs/architecture.md`` for the conventions.
"""
import logging

from krigflow.exceptions import (
    ConfigError,
    KrigflowError,
    LASReadError,
    SurveyError,
    WellLocationError,
    WorkflowError,
)

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
