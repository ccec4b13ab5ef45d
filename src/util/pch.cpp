// Translation unit that owns the shared precompiled header (<torch/torch.h>).
