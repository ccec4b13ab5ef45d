"""Reads a model.pt written by lrpseg the way torch.load(..., weights_only=True)
does, without torch: only the globals the weights-only unpickler allows.

Usage: read_model_pt.py FILE NAME -> prints "<number of tensors> <shape of NAME> <sum of NAME>".
"""
import pickle
import struct
import sys
import zipfile

DTYPES = {"FloatStorage": ("f", 4), "LongStorage": ("q", 8), "DoubleStorage": ("d", 8)}


class Storage:
    def __init__(self, kind, key):
        self.kind, self.key = kind, key


class Tensor:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride


def rebuild_tensor(storage, offset, size, stride, *unused):
    return Tensor(storage, offset, size, stride)


class Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return rebuild_tensor
        if module == "torch" and name in DTYPES:
            return name
        if module == "collections" and name == "OrderedDict":
            import collections
            return collections.OrderedDict
        # weights_only refuses every other global (e.g. torch.jit._pickle.restore_type_tag).
        raise pickle.UnpicklingError(f"unexpected global {module}.{name}")

    def persistent_load(self, pid):
        _, kind, key, _location, _numel = pid
        return Storage(kind, key)


def main():
    path, name = sys.argv[1], sys.argv[2]
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        prefix = names[0].split("/")[0]
        state = Unpickler(archive.open(f"{prefix}/data.pkl")).load()
        t = state[name]
        fmt, width = DTYPES[t.storage.kind]
        raw = archive.read(f"{prefix}/data/{t.storage.key}")
        values = struct.unpack(f"<{len(raw) // width}{fmt}", raw)
        numel = 1
        for s in t.size:
            numel *= s
        # Contiguous tensors only: lrpseg writes contiguous parameters.
        total = sum(values[t.offset:t.offset + numel])
    print(len(state), ",".join(str(s) for s in t.size), total)


if __name__ == "__main__":
    main()
