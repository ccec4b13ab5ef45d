// The NIfTI reader on arbitrary file bytes: a gzip stream is read as .nii.gz,
// anything else as .nii. Each input must be read or refused with lrpseg::Error
// (any other exception, a crash or a sanitizer report is a finding).
#include "fuzz_input.h"
#include "io/nifti.h"
#include "io/nifti_summary.h"
#include "util/error.h"

using namespace lrpseg;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const bool gzip = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
  const std::string path = fuzz::write_input(gzip ? "input.nii.gz" : "input.nii", data, size);
  try {
    const NiftiHeader header = read_nifti_header(path);
    (void)header.orientation();
    (void)header.size_dhw();
  } catch (const Error&) {
  }
  try {
    (void)nifti_summary(read_nifti(path, NonFinite::Keep));  // what `lrpseg info` prints
    (void)read_nifti_3d(path, NonFinite::ToZero);
  } catch (const Error&) {
  }
  return 0;
}
