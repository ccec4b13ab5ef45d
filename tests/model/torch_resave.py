"""Re-saves an lrpseg model.pt the ways PyTorch users save state dicts, with a
real PyTorch. Exit 77 when torch is not installed (the test skips).

Usage: torch_resave.py DIR -> writes DIR/ordered.pt (an OrderedDict with
_metadata, as nn.Module.state_dict() returns), DIR/plain.pt (a dict, one tensor a
strided view), DIR/module.pt (a pickled nn.Module: must be refused),
DIR/legacy.pt (the pre-1.6 format: refused with a hint) and DIR/paper.model (the
state dict under the names of the paper's own code, cblocks/deconv/convf/bn).
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
    torch.save(ordered, os.path.join(directory, "legacy.pt"), _use_new_zipfile_serialization=False)
    paper = collections.OrderedDict((paper_code_name(k), v) for k, v in state.items())
    torch.save(paper, os.path.join(directory, "paper.model"))


def paper_code_name(name):
    """lrpseg's name -> the name the paper's UNet3D gives the same tensor."""
    levels = {"1": "1", "2": "2", "3": "3", "4": "4", "5": "3b", "6": "2b", "7": "1b"}
    module, rest = name.split(".", 1)
    if module.startswith("b"):
        block = module[1:]
        layer, field = rest.split(".", 1)
        kind = "conv" if layer.startswith("conv") else "bn3d"
        index = int(layer[-1]) - 1
        return "cblocks%s.%s_%s_%d.%s" % (block, kind, levels[block], index, field)
    if module.startswith("up"):
        return "deconv%s.%s" % (module[2:], rest)
    return {"head_conv": "convf", "head_bn": "bn"}[module] + "." + rest


if __name__ == "__main__":
    main()
