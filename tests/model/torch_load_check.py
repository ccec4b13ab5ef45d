"""Loads a checkpoint with a real PyTorch exactly as its users do: model.pt with
torch.load(..., weights_only=True), model.safetensors with the safetensors
library when installed. Exit 77 when torch is not installed (the test skips).

Usage: torch_load_check.py DIR NAME -> prints "<number of tensors> <sum of NAME> <safetensors sum or ->".
"""
import os
import sys

try:
    import torch
except ImportError:
    sys.exit(77)


def main():
    directory, name = sys.argv[1], sys.argv[2]
    state = torch.load(os.path.join(directory, "model.pt"), weights_only=True)
    assert isinstance(state, dict)
    other = "-"
    try:
        from safetensors.torch import load_file
        other = repr(float(load_file(os.path.join(directory, "model.safetensors"))[name].double().sum()))
    except ImportError:
        pass
    print(len(state), repr(float(state[name].double().sum())), other)


if __name__ == "__main__":
    main()
