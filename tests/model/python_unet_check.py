"""Both directions of the weight transfer with python/lrpseg_unet.py and a real
PyTorch. Exit 77 when torch is not installed (the test skips).

Usage: python_unet_check.py SOURCE_DIR DIR
  reads DIR/checkpoint (lrpseg wrote it) and DIR/io.pt {"x", "y"} (lrpseg's input
  and output), prints the max |difference| of the Python forward; then writes
  DIR/python.pt (a freshly initialised UNet3D's state_dict, BatchNorm statistics
  randomised) and DIR/python_out.pt {"y": its forward on x}.
"""
import os
import sys

try:
    import torch
except ImportError:
    sys.exit(77)


def main():
    source, directory = sys.argv[1], sys.argv[2]
    sys.path.insert(0, os.path.join(source, "python"))
    import lrpseg_unet

    io = torch.load(os.path.join(directory, "io.pt"), weights_only=True)
    net = lrpseg_unet.load(os.path.join(directory, "checkpoint"))
    with torch.no_grad():
        difference = (net(io["x"]) - io["y"]).abs().max().item()

    torch.manual_seed(5)
    other = lrpseg_unet.UNet3D(width=2)
    with torch.no_grad():
        for module in other.modules():
            if isinstance(module, torch.nn.BatchNorm3d):
                module.running_mean.uniform_(-0.5, 0.5)
                module.running_var.uniform_(0.5, 1.5)
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.2, 0.5)
    other.eval()
    torch.save(other.state_dict(), os.path.join(directory, "python.pt"))
    with torch.no_grad():
        torch.save({"y": other(io["x"])}, os.path.join(directory, "python_out.pt"))
    print(difference)


if __name__ == "__main__":
    main()
