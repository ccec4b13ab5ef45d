#pragma once
// The generative model of one synthetic ISLES-2017 case: head/brain anatomy,
// an ischemic lesion (core + penumbra) and the six perfusion/diffusion maps it
// produces. docs/synthetic-data.md describes the model; keep the two in step.
#include <torch/torch.h>

#include <array>
#include <cstdint>

namespace lrpseg {

// Volumes of a synthetic case, in lrpseg's channel order followed by the ground truth.
enum SynthVolume : int {
  kSynthADC,
  kSynthMTT,
  kSynthRCBF,
  kSynthRCBV,
  kSynthTmax,
  kSynthTTP,
  kSynthOT
};
constexpr int kSynthVolumeCount = 7;
constexpr int kSynthModalityCount = 6;  // the maps, kSynthADC..kSynthTTP

// Which maps carry the lesion (`synth --evidence`), indexed by SynthVolume. A map
// without evidence shows healthy tissue plus decoy blobs that have the lesion core's
// contrast but no relation to the OT, so an explanation's relevance on it is misplaced.
using SynthEvidence = std::array<bool, kSynthModalityCount>;
constexpr SynthEvidence kSynthAllEvidence = {true, true, true, true, true, true};

// The ISLES-like grids that synthetic cases cycle through.
constexpr int kSynthGridCount = 4;

struct SynthCase {
  std::array<int64_t, 3> size_dhw{};
  std::array<double, 3> spacing_ijk{};  // mm along i, j, k (W, H, D)
  double adc_slope = 1.0;               // scl_slope of the int16 ADC file
  // (D, H, W) float32 volumes in physical units (ADC in 1e-6 mm²/s, MTT/Tmax/TTP in s,
  // rCBF, rCBV relative); the OT volume holds 0 and 1.
  std::array<torch::Tensor, kSynthVolumeCount> volumes;
};

// Renders one case. Everything random is drawn from `case_seed`; the grid is
// kSynthGrids[grid_index % kSynthGridCount]. The same arguments give the same
// voxels, bit for bit, whatever the number of threads. The evidence maps and the
// OT do not depend on `evidence`: with all six the case is the default one.
SynthCase render_synthetic_case(uint64_t case_seed, int grid_index,
                                const SynthEvidence& evidence = kSynthAllEvidence);

}  // namespace lrpseg
