// The checkpoint readers: the first byte picks what the rest is —
// model.safetensors bytes, torch.save zip bytes (our own reader, used by
// `lrpseg import`), a model.json beside a valid width-2 model.pt, or a model.pt
// beside a valid model.json (what `load_checkpoint` reads for every command
// that takes --model). Each input must
// load or be refused with lrpseg::Error.
#include <filesystem>
#include <string>

#include "fuzz_input.h"
#include "model/checkpoint.h"
#include "model/safetensors.h"
#include "model/torch_load.h"
#include "model/unet.h"
#include "util/atomic_file.h"
#include "util/error.h"

using namespace lrpseg;
namespace fs = std::filesystem;

namespace {

// A checkpoint folder of a width-2 network, made once; inputs replace model.json.
const fs::path& checkpoint_folder() {
  static const fs::path folder = [] {
    const fs::path dir = fuzz::scratch_folder() / "model";
    UNetOptions options;
    options.width = 2;
    UNet net(options);
    CheckpointFiles files;
    files.info = {{"architecture", architecture_json(options)}};
    save_checkpoint(dir.string(), net, files);
    return dir;
  }();
  return folder;
}

// The same checkpoint, in a folder whose model.pt inputs replace.
const fs::path& weights_folder() {
  static const fs::path folder = [] {
    const fs::path dir = fuzz::scratch_folder() / "weights";
    fs::create_directories(dir);
    fs::copy_file(checkpoint_folder() / "model.json", dir / "model.json",
                  fs::copy_options::overwrite_existing);
    return dir;
  }();
  return folder;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    switch (data[0] % 4) {
      case 0:
        (void)parse_safetensors(bytes, "model.safetensors");
        break;
      case 1:
        (void)read_torch_save(bytes, "model.pt");
        break;
      case 2: {
        const fs::path& dir = checkpoint_folder();
        write_text_atomically((dir / "model.json").string(), bytes);
        (void)load_checkpoint(dir.string());
        break;
      }
      default: {  // model.pt bytes beside a valid model.json
        const fs::path& dir = weights_folder();
        write_text_atomically((dir / "model.pt").string(), bytes);
        (void)load_checkpoint(dir.string());
      }
    }
  } catch (const Error&) {
  }
  return 0;
}
