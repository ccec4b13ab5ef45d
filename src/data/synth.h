#pragma once
// Synthetic ISLES-2017-format datasets (`lrpseg synth`): real NIfTI files in the
// challenge's folder layout, generated deterministically from a seed.
// The generative model is described in docs/synthetic-data.md.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "data/synth_model.h"

namespace lrpseg {

struct SynthOptions {
  std::string out_dir;
  int training_cases = 16;  // training_1..N, with OT
  int test_cases = 0;       // test_1..M, without OT
  uint64_t seed = 0;
  // Maps that show the lesion (--evidence); the others show healthy tissue and
  // decoys uncorrelated with the OT. All six: the default dataset, byte for byte;
  // none (library only): a dataset whose maps carry no evidence of the OT at all.
  SynthEvidence evidence = kSynthAllEvidence;
};

// Parses --evidence: comma-separated modality names (ADC, MTT, rCBF, rCBV, Tmax,
// TTP, case-insensitive, "MR_" prefix optional), at least one, none twice.
// Throws lrpseg::Error naming --evidence and the bad token.
SynthEvidence parse_evidence_modalities(const std::string& list);

// The channels (SynthVolume / kModalities indices) marked in `evidence`, ascending.
std::vector<int> evidence_channels(const SynthEvidence& evidence);

// Writes an ISLES-2017-layout dataset of uncompressed NIfTI files into
// options.out_dir (created if missing); identical bytes for the same options,
// and case k is the same whatever the number of cases. Throws lrpseg::Error if
// out_dir already holds training_*/test_* entries (existing data is never
// overwritten). Each case is written to a hidden temporary folder and renamed
// into place, so an interrupted run leaves no half case. Calls
// progress(done, total) after each case when given.
void synthesize_isles(const SynthOptions& options,
                      const std::function<void(int, int)>& progress = {});

}  // namespace lrpseg
