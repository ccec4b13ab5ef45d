"""Reads a .safetensors file by the format's specification, without the library.

Usage: read_safetensors.py FILE NAME -> prints "<number of tensors> <dtype> <shape of NAME> <sum of NAME> <metadata format>".
"""
import json
import struct
import sys

FORMATS = {"F32": ("f", 4), "F64": ("d", 8), "I64": ("q", 8)}


def main():
    path, name = sys.argv[1], sys.argv[2]
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    body = data[8 + n:]
    entry = header[name]
    fmt, width = FORMATS[entry["dtype"]]
    begin, end = entry["data_offsets"]
    values = struct.unpack(f"<{(end - begin) // width}{fmt}", body[begin:end])
    numel = 1
    for s in entry["shape"]:
        numel *= s
    assert numel == len(values), "byte range does not match the shape"
    print(len(header), entry["dtype"], ",".join(str(s) for s in entry["shape"]), sum(values),
          metadata.get("format", "-"))


if __name__ == "__main__":
    main()
