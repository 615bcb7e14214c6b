"""Independent readers of the files krigflow writes (no krigflow code): VTK XML ImageData and GRDECL."""

import base64
import xml.etree.ElementTree as ET

import numpy as np


def parse_vti(path):
    """Independent VTI reader: geometry and cell arrays back in [easting, northing, tvdss] order."""
    root = ET.parse(path).getroot()
    assert root.get("type") == "ImageData" and root.get("byte_order") == "LittleEndian"
    image = root.find("ImageData")
    extent = [int(v) for v in image.get("WholeExtent").split()]
    nx, ny, nz = extent[1] - extent[0], extent[3] - extent[2], extent[5] - extent[4]
    out = {
        "origin": [float(v) for v in image.get("Origin").split()],
        "spacing": [float(v) for v in image.get("Spacing").split()],
        "shape": (nx, ny, nz),
        "arrays": {},
    }
    for da in image.find("Piece").find("CellData").findall("DataArray"):
        assert da.get("type") == "Float64"
        text = da.text.strip()
        if da.get("format") == "ascii":
            flat = np.array([float(v) for v in text.split()])
        else:
            raw = base64.b64decode(text)
            nbytes = int(np.frombuffer(raw[:8], dtype="<u8")[0])
            flat = np.frombuffer(raw[8:], dtype="<f8")
            assert nbytes == flat.nbytes
        # VTK order: x fastest, then y, then z (elevation up): z index 0 is the deepest layer
        out["arrays"][da.get("Name")] = flat.reshape(nz, ny, nx).transpose(2, 1, 0)[:, :, ::-1]
    return out


def parse_grdecl(path):
    """Independent GRDECL reader: keyword -> flat numpy array (repeat counts ``n*v`` expanded)."""
    keywords, name, values = {}, None, []
    with open(path, encoding="ascii") as fh:
        for line in fh:
            line = line.split("--", 1)[0].strip()
            if not line:
                continue
            for token in line.split():
                if name is None:
                    name, values = token, []
                    continue
                if token == "/":
                    keywords[name] = values
                    name = None
                    continue
                if "*" in token:
                    n, v = token.split("*")
                    values.extend([v] * int(n))
                else:
                    values.append(token)
    assert name is None, f"keyword {name} not terminated"
    out = {}
    for key, vals in keywords.items():
        if key == "GRIDUNIT" or key == "SPECGRID":
            out[key] = vals
        else:
            out[key] = np.array([float(v) for v in vals])
    return out
