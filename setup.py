"""Installation script for krigflow.

The build settings live in ``pyproject.toml``; this file holds the package
metadata because the project's design card asks for a ``setup.py``.
"""
from setuptools import find_packages, setup

setup(
    name="krigflow",
    version="0.1.0",
    description="Well logs to 3-D property models with stochastic kriging, distributed with dispel4py",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.10",
    packages=find_packages(include=["krigflow", "krigflow.*", "pes", "graphs"]),
    include_package_data=True,
    install_requires=[
        "numpy>=1.24",
        "scipy>=1.10",
        "lasio>=0.31",
        "pyyaml>=6.0",
        "threadpoolctl>=3.1",
        "stream-d4py==2.9.1",
        "mpi4py>=4.0",
        "openmpi>=5.0",
        "xarray>=2023.1",
        "netCDF4>=1.6",
        "matplotlib>=3.7",
    ],
    extras_require={
        "geo": ["pyproj>=3.4"],
        "zones": ["xtgeo>=4"],
        "test": ["pytest>=7", "pykrige>=1.7", "gstools>=1.5", "pyproj>=3.4", "xtgeo>=4", "pyvista>=0.43", "pillow>=9"],
    },
    entry_points={"console_scripts": ["krigflow = krigflow.cli:main"]},
    classifiers=[
        "Programming Language :: Python :: 3",
        "Topic :: Scientific/Engineering :: GIS",
    ],
)
