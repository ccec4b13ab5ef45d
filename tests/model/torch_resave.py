"""Re-saves an lrpseg model.pt the ways PyTorch users save state dicts, with a
real PyTorch. Exit 77 when torch is not installed (the test skips).

Usage: torch_resave.py DIR -> writes DIR/ordered.pt (an OrderedDict with
_metadata, as nn.Module.state_dict() returns), DIR/plain.pt (a dict, one tensor a
strided view) and DIR/module.pt (a pickled nn.Module: must be refused).
"""
import collections
import os
import sys

try:
    import torch
except ImportError:
    sys.exit(77)


def main():
    directory = sys.argv[1]
    state = torch.load(os.path.join(directory, "model.pt"), weights_only=True)
    ordered = collections.OrderedDict(state)
    ordered._metadata = collections.OrderedDict({"": {"version": 1}, "b1": {"version": 1}})
    torch.save(ordered, os.path.join(directory, "ordered.pt"))
    plain = dict(state)
    w = plain["head_conv.weight"]
    plain["head_conv.weight"] = w.clone().transpose(0, 1).contiguous().transpose(0, 1)
    torch.save(plain, os.path.join(directory, "plain.pt"))
    torch.save({"layer": torch.nn.Linear(1, 1)}, os.path.join(directory, "module.pt"))


if __name__ == "__main__":
    main()
