#include "data/synth_model.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "data/random.h"

namespace lrpseg {
namespace {

constexpr double kPi = 3.14159265358979323846;

// ISLES 2017 grids (W×H×D) with typical spacing: each covers a ~230 mm field of
// view in-plane and a 120–150 mm slab of thick slices.
struct GridSpec {
  int64_t w, h, d;
  double inplane_mm, slice_mm;
};
constexpr GridSpec kGrids[kSynthGridCount] = {{192, 192, 19, 1.2, 6.5},
                                              {256, 256, 24, 0.9, 5.0},
                                              {128, 128, 25, 1.8, 5.0},
                                              {192, 192, 30, 1.2, 5.0}};

// Head layers as fractions of the head ellipsoid's normalised radius.
constexpr double kBrainEdge = 0.88;
constexpr double kSkullEdge = 0.94;
constexpr double kEdgeWidth = 0.02;  // ~1.5 mm partial-volume edge

// Smooth step from 1 (x <= lo) to 0 (x >= hi): a partial-volume edge without an exp per voxel.
inline double fall(double x, double lo, double hi) {
  const double t = std::clamp((x - lo) / (hi - lo), 0.0, 1.0);
  return 1.0 - t * t * (3.0 - 2.0 * t);
}
inline double rise(double x, double lo, double hi) { return 1.0 - fall(x, lo, hi); }

// World coordinates (mm) of the voxel centres along one axis, centred on the volume.
std::vector<double> axis_mm(int64_t n, double spacing) {
  std::vector<double> mm(n);
  for (int64_t i = 0; i < n; ++i) mm[i] = (static_cast<double>(i) - 0.5 * (n - 1)) * spacing;
  return mm;
}

struct Axes {
  std::vector<double> x, y, z;  // along W, H, D
};

// A smooth random field with values in [-1, 1]: a sum of products of cosines along
// the three axes, each with a random wavelength and phase. Separable, so a voxel
// costs a few multiplications of precomputed per-axis tables instead of cosines.
class SmoothField {
 public:
  SmoothField(Rng& rng, const Axes& axes, double min_wavelength_mm, double max_wavelength_mm,
              int terms)
      : terms_(terms), nx_(axes.x.size()), ny_(axes.y.size()), nz_(axes.z.size()) {
    std::vector<double> amplitude(terms);
    double total = 0;
    for (double& a : amplitude) total += (a = rng.uniform(0.5, 1.0));
    for (int t = 0; t < terms; ++t) {
      append_axis(rng, axes.x, min_wavelength_mm, max_wavelength_mm, amplitude[t] / total, x_);
      append_axis(rng, axes.y, min_wavelength_mm, max_wavelength_mm, 1.0, y_);
      append_axis(rng, axes.z, min_wavelength_mm, max_wavelength_mm, 1.0, z_);
    }
  }

  double at(int64_t k, int64_t j, int64_t i) const {
    double sum = 0;
    for (int t = 0; t < terms_; ++t) sum += x_[t * nx_ + i] * y_[t * ny_ + j] * z_[t * nz_ + k];
    return sum;
  }

 private:
  static void append_axis(Rng& rng, const std::vector<double>& mm, double min_wl, double max_wl,
                          double amplitude, std::vector<double>& table) {
    const double wavelength = rng.uniform(min_wl, max_wl);
    const double phase = rng.uniform(0, 2 * kPi);
    for (double p : mm) table.push_back(amplitude * std::cos(2 * kPi * p / wavelength + phase));
  }

  int terms_;
  size_t nx_, ny_, nz_;
  std::vector<double> x_, y_, z_;  // [term][voxel along the axis]
};

// Head pose and anatomy, in mm. Head coordinates (u, v, w) are left-right,
// anterior-posterior and inferior-superior, centred on the head.
struct Head {
  double cx, cy, cz;
  double cos_yaw, sin_yaw;  // in-plane tilt of the head
  double a, b, c;           // semi-axes of the head ellipsoid
  // Lateral ventricles: two ellipsoids at (±vent_u, vent_v, vent_w).
  double vent_u, vent_v, vent_w;
  double vent_a, vent_b, vent_c;
};

// The lesion in head coordinates. Normalised radius rho = ellipsoid radius divided
// by (1 + deform·field): the core is rho < 1, the penumbra 1 <= rho < penumbra.
struct Lesion {
  double u, v, w;
  double cos_t, sin_t;  // in-plane orientation of the ellipsoid
  double ru, rv, rw;    // core semi-axes
  double penumbra;      // outer penumbra radius / core radius
  double deform;        // relative amplitude of the boundary perturbation
  double hemisphere;    // sign of u on the lesion's side
};

// A decoy blob (`synth --evidence`): an ellipsoid in head coordinates, rotated in-plane.
struct Decoy {
  double u, v, w;
  double cos_t, sin_t;
  double ru, rv, rw;
};

// One map's healthy values, lesion effects and noise, in the map's own units.
struct Contrast {
  double gray, white, csf;  // healthy grey matter, white matter, CSF
  double texture;           // relative amplitude of the smooth tissue texture
  double core_drop;         // relative drop in the core
  double penumbra_drop;     // relative drop in the penumbra (negative: a rise)
  double delay;  // added where perfusion is fully delayed (core), fading over the penumbra
  double noise;  // sd of the additive (ADC: Rician) noise
};

// Per-case draws. The order of the draws is part of the format: reordering them
// changes every dataset.
struct CaseParams {
  GridSpec grid;
  double inplane_mm, slice_mm, adc_slope;
  Head head;
  Lesion lesion;
  Contrast contrast[6];
  double adc_skull, adc_scalp;
};

Head draw_head(Rng& rng) {
  Head h{};
  h.a = rng.uniform(66, 74);
  h.b = rng.uniform(84, 94);
  h.c = rng.uniform(78, 88);
  h.cx = rng.uniform(-6, 6);
  h.cy = rng.uniform(-6, 6);
  h.cz = rng.uniform(-6, 6);
  const double yaw = rng.uniform(-0.14, 0.14);
  h.cos_yaw = std::cos(yaw);
  h.sin_yaw = std::sin(yaw);
  h.vent_u = rng.uniform(8, 11);
  h.vent_v = rng.uniform(-4, 6);
  h.vent_w = rng.uniform(0, 12);
  h.vent_a = rng.uniform(4, 6.5);
  h.vent_b = rng.uniform(18, 26);
  h.vent_c = rng.uniform(10, 16);
  return h;
}

// In one hemisphere, well inside the brain and the slab of half-height slab_half.
Lesion draw_lesion(Rng& rng, const Head& h, double slab_half) {
  Lesion l{};
  l.hemisphere = rng.sign();
  l.u = l.hemisphere * rng.uniform(0.25, 0.55) * kBrainEdge * h.a;
  l.v = rng.uniform(-0.45, 0.45) * kBrainEdge * h.b;
  l.w = rng.uniform(-0.35, 0.35) * slab_half - h.cz;
  const double theta = rng.uniform(0, kPi);
  l.cos_t = std::cos(theta);
  l.sin_t = std::sin(theta);
  // Core radius 14–22 mm: with the penumbra's inner half the OT spans roughly
  // 25–55% of the brain's width, still several voxels after resizing to 48×48.
  const double radius = rng.uniform(14, 22);
  l.ru = radius * rng.uniform(0.8, 1.25);
  l.rv = radius * rng.uniform(0.8, 1.4);
  l.rw = radius * rng.uniform(0.9, 1.4);
  l.penumbra = rng.uniform(1.5, 1.9);
  l.deform = rng.uniform(0.1, 0.25);
  return l;
}

// 2–4 decoys, centred uniformly in the inner 80% of the brain ellipsoid and the inner
// 80% of the slab, in either hemisphere and with no reference to the lesion: they meet
// the OT by chance only. A little smaller than lesion cores, so they do not fill the brain.
std::vector<Decoy> draw_decoys(Rng& rng, const Head& h, double slab_half) {
  const double su = 0.8 * kBrainEdge * h.a, sv = 0.8 * kBrainEdge * h.b,
               sw = 0.8 * kBrainEdge * h.c;
  std::vector<Decoy> decoys(rng.uniform_int(2, 4));
  for (Decoy& d : decoys) {
    // Rejection sampling; the slab always cuts the brain's middle, so it ends quickly.
    double r2;
    do {
      d.u = rng.uniform(-su, su);
      d.v = rng.uniform(-sv, sv);
      d.w = rng.uniform(-0.8, 0.8) * slab_half - h.cz;
      r2 = d.u * d.u / (su * su) + d.v * d.v / (sv * sv) + d.w * d.w / (sw * sw);
    } while (r2 >= 1);
    const double theta = rng.uniform(0, kPi);
    d.cos_t = std::cos(theta);
    d.sin_t = std::sin(theta);
    const double radius = rng.uniform(10, 16);
    d.ru = radius * rng.uniform(0.8, 1.25);
    d.rv = radius * rng.uniform(0.8, 1.4);
    d.rw = radius * rng.uniform(0.9, 1.4);
  }
  return decoys;
}

void draw_contrasts(Rng& rng, Contrast* c) {
  // ADC (1e-6 mm²/s): cytotoxic oedema restricts diffusion in the core only.
  c[kSynthADC].gray = rng.uniform(820, 900);
  c[kSynthADC].white = rng.uniform(700, 780);
  c[kSynthADC].csf = rng.uniform(2800, 3200);
  c[kSynthADC].texture = 0.05;
  c[kSynthADC].core_drop = rng.uniform(0.35, 0.5);
  c[kSynthADC].noise = rng.uniform(20, 35);
  // MTT (s): prolonged in core and penumbra.
  c[kSynthMTT].gray = rng.uniform(3.5, 4.5);
  c[kSynthMTT].white = c[kSynthMTT].gray * rng.uniform(1.1, 1.25);
  c[kSynthMTT].csf = rng.uniform(5, 7);
  c[kSynthMTT].texture = 0.08;
  c[kSynthMTT].delay = rng.uniform(6, 9);
  c[kSynthMTT].noise = rng.uniform(0.3, 0.5);
  // rCBF: collapsed in the core, moderately reduced in the penumbra.
  c[kSynthRCBF].gray = rng.uniform(45, 58);
  c[kSynthRCBF].white = c[kSynthRCBF].gray * rng.uniform(0.4, 0.55);
  c[kSynthRCBF].csf = rng.uniform(1, 4);
  c[kSynthRCBF].texture = 0.12;
  c[kSynthRCBF].core_drop = rng.uniform(0.75, 0.9);
  c[kSynthRCBF].penumbra_drop = rng.uniform(0.25, 0.4);
  c[kSynthRCBF].noise = rng.uniform(2, 3.5);
  // rCBV: reduced in the core, preserved or slightly raised (autoregulation) in the penumbra.
  c[kSynthRCBV].gray = rng.uniform(3.5, 4.5);
  c[kSynthRCBV].white = c[kSynthRCBV].gray * rng.uniform(0.45, 0.6);
  c[kSynthRCBV].csf = rng.uniform(0.2, 0.5);
  c[kSynthRCBV].texture = 0.12;
  c[kSynthRCBV].core_drop = rng.uniform(0.6, 0.8);
  c[kSynthRCBV].penumbra_drop = rng.uniform(-0.15, 0);
  c[kSynthRCBV].noise = rng.uniform(0.15, 0.3);
  // Tmax (s): the clinical penumbra marker; Tmax > ~6 s bounds the OT.
  c[kSynthTmax].gray = rng.uniform(0.4, 1.0);
  c[kSynthTmax].white = c[kSynthTmax].gray + rng.uniform(0.2, 0.6);
  c[kSynthTmax].csf = rng.uniform(2, 3);
  c[kSynthTmax].texture = 0.1;
  c[kSynthTmax].delay = rng.uniform(8, 12);
  c[kSynthTmax].noise = rng.uniform(0.3, 0.5);
  // TTP (s): bolus arrival time plus delay.
  c[kSynthTTP].gray = rng.uniform(12, 20);
  c[kSynthTTP].white = c[kSynthTTP].gray + rng.uniform(0.5, 1.5);
  c[kSynthTTP].csf = c[kSynthTTP].gray + rng.uniform(2, 4);
  c[kSynthTTP].texture = 0.03;
  c[kSynthTTP].delay = rng.uniform(10, 15);
  c[kSynthTTP].noise = rng.uniform(0.6, 1.0);
}

CaseParams draw_params(Rng& rng, int grid_index) {
  CaseParams p{};
  p.grid = kGrids[((grid_index % kSynthGridCount) + kSynthGridCount) % kSynthGridCount];
  p.inplane_mm = p.grid.inplane_mm * rng.uniform(0.95, 1.05);
  p.slice_mm = p.grid.slice_mm * rng.uniform(0.97, 1.03);
  p.adc_slope = rng.uniform() < 0.5 ? 0.5 : 1.0;
  p.head = draw_head(rng);
  p.lesion = draw_lesion(rng, p.head, 0.5 * p.grid.d * p.slice_mm);
  draw_contrasts(rng, p.contrast);
  p.adc_skull = rng.uniform(80, 200);
  p.adc_scalp = rng.uniform(500, 800);
  return p;
}

// What every voxel of a case reads: the parameters, axes and smooth fields.
struct Scene {
  const CaseParams& p;
  const Axes& axes;
  const SmoothField& perfusion_texture;
  const SmoothField& adc_texture;
  const SmoothField& gyri;
  const SmoothField& lesion_shape;
  const SynthEvidence& evidence;
  const std::vector<Decoy>& decoys;  // empty when every map carries evidence
};

// Lesion weights at head coordinates (u, v, w): the core, the perfusion delay
// (1 in the core, falling linearly to 0 across the penumbra) and the penumbra;
// confined to one hemisphere. `shape` is the boundary field at the voxel.
struct LesionWeights {
  double core, delay, penumbra;
};

LesionWeights lesion_weights(const Lesion& l, double u, double v, double w, double shape) {
  const double lu = u - l.u, lv = v - l.v, lw = w - l.w;
  const double eu = (l.cos_t * lu + l.sin_t * lv) / l.ru;
  const double ev = (-l.sin_t * lu + l.cos_t * lv) / l.rv;
  const double ew = lw / l.rw;
  const double rho = std::sqrt(eu * eu + ev * ev + ew * ew) / (1 + l.deform * shape);
  const double side = rise(l.hemisphere * u, 0.5, 2.0);
  const double core = fall(rho, 0.93, 1.07) * side;
  const double delay = std::clamp((l.penumbra - rho) / (l.penumbra - 1), 0.0, 1.0) * side;
  return {core, delay, std::max(delay - core, 0.0)};
}

// 1 inside a decoy, 0 outside, with the core's soft edge; overlapping decoys do not add up.
double decoy_weight(const std::vector<Decoy>& decoys, double u, double v, double w) {
  double weight = 0;
  for (const Decoy& d : decoys) {
    const double du = u - d.u, dv = v - d.v, dw = w - d.w;
    const double eu = (d.cos_t * du + d.sin_t * dv) / d.ru;
    const double ev = (-d.sin_t * du + d.cos_t * dv) / d.rv;
    const double ew = dw / d.rw;
    weight = std::max(weight, fall(std::sqrt(eu * eu + ev * ev + ew * ew), 0.93, 1.07));
  }
  return weight;
}

// The six maps and the OT of voxel (k, j, i), written at `index`; the noise
// comes from the slice's own stream.
void render_voxel(const Scene& s, int64_t k, int64_t j, int64_t i, Rng& noise,
                  const std::array<float*, kSynthVolumeCount>& data, int64_t index) {
  const Head& h = s.p.head;
  const Axes& axes = s.axes;
  const double x = axes.x[i] - h.cx, y = axes.y[j] - h.cy;
  const double u = h.cos_yaw * x + h.sin_yaw * y;
  const double v = -h.sin_yaw * x + h.cos_yaw * y;
  const double w = axes.z[k] - h.cz;
  const double r = std::sqrt(u * u / (h.a * h.a) + v * v / (h.b * h.b) + w * w / (h.c * h.c));
  const double head = fall(r, 1 - kEdgeWidth, 1 + kEdgeWidth);
  if (head <= 0) return;  // background stays exactly zero

  // Nested layers: brain inside skull inside scalp.
  const double brain = fall(r, kBrainEdge - kEdgeWidth / 2, kBrainEdge + kEdgeWidth / 2);
  const double inner_skull = fall(r, kSkullEdge - kEdgeWidth / 2, kSkullEdge + kEdgeWidth / 2);
  const double skull = inner_skull - brain, scalp = head - inner_skull;

  // Grey matter: a cortical ribbon whose inner boundary folds (gyri).
  const double cortex_depth = 0.80 + 0.035 * s.gyri.at(k, j, i);
  const double gray = rise(r, cortex_depth - 0.02, cortex_depth + 0.02);

  // CSF: lateral ventricles and the interhemispheric fissure.
  double csf = 0;
  for (double side : {-1.0, 1.0}) {
    const double du = (u - side * h.vent_u) / h.vent_a, dv = (v - h.vent_v) / h.vent_b,
                 dw = (w - h.vent_w) / h.vent_c;
    csf = std::max(csf, fall(du * du + dv * dv + dw * dw, 0.75, 1.25));
  }
  csf = std::max(csf, fall(std::abs(u), 0.7, 2.0) * rise(r, 0.45, 0.65));

  const LesionWeights lesion = lesion_weights(s.p.lesion, u, v, w, s.lesion_shape.at(k, j, i));
  const double core = lesion.core, delay = lesion.delay, penumbra = lesion.penumbra;
  const double decoy = s.decoys.empty() ? 0.0 : decoy_weight(s.decoys, u, v, w);
  const double parenchyma = brain * (1 - csf);
  data[kSynthOT][index] = (delay >= 0.5 && parenchyma >= 0.5) ? 1.f : 0.f;

  const double textures[2] = {s.perfusion_texture.at(k, j, i), s.adc_texture.at(k, j, i)};
  for (int m = 0; m < 6; ++m) {
    const Contrast& c = s.p.contrast[m];
    const double texture = textures[m == kSynthADC ? 1 : 0];
    const double healthy = (gray * c.gray + (1 - gray) * c.white) * (1 + c.texture * texture);
    // A map without evidence shows no lesion, and each decoy as a lesion core.
    const double tissue =
        s.evidence[m]
            ? healthy * (1 - c.core_drop * core - c.penumbra_drop * penumbra) + c.delay * delay
            : healthy * (1 - c.core_drop * decoy) + c.delay * decoy;
    double value = brain * ((1 - csf) * tissue + csf * c.csf);
    if (m == kSynthADC) {
      // Magnitude-derived map: Rician noise, the skull and scalp visible.
      value += skull * s.p.adc_skull + scalp * s.p.adc_scalp;
      const double n1 = c.noise * noise.normal(), n2 = c.noise * noise.normal();
      value = std::sqrt((value + n1) * (value + n1) + n2 * n2) * head;
    } else if (brain > 0) {
      // Perfusion maps are brain-masked and non-negative, like ISLES's.
      value = std::max(0.0, value + brain * c.noise * noise.normal());
    }
    data[m][index] = static_cast<float>(value);
  }
}

}  // namespace

SynthCase render_synthetic_case(uint64_t case_seed, int grid_index, const SynthEvidence& evidence) {
  Rng rng(derive_seed({case_seed, 1}));
  const CaseParams p = draw_params(rng, grid_index);
  const GridSpec& g = p.grid;
  const Axes axes{axis_mm(g.w, p.inplane_mm), axis_mm(g.h, p.inplane_mm), axis_mm(g.d, p.slice_mm)};

  // Texture of perfusion and of diffusion (tens of mm), cortical folding (~2 cm),
  // and the lesion boundary's irregularity (on the lesion's scale).
  const SmoothField perfusion_texture(rng, axes, 40, 140, 4);
  const SmoothField adc_texture(rng, axes, 40, 140, 4);
  const SmoothField gyri(rng, axes, 16, 32, 4);
  const double lesion_scale = std::max({p.lesion.ru, p.lesion.rv, p.lesion.rw});
  const SmoothField lesion_shape(rng, axes, 1.5 * lesion_scale, 4 * lesion_scale, 3);

  // Decoys come from their own stream, drawn only when a map lacks evidence: the
  // default case's draws, and so its bytes, stay as they were.
  std::vector<Decoy> decoys;
  if (std::find(evidence.begin(), evidence.end(), false) != evidence.end()) {
    Rng decoy_rng(derive_seed({case_seed, 3}));
    decoys = draw_decoys(decoy_rng, p.head, 0.5 * g.d * p.slice_mm);
  }

  SynthCase out;
  out.size_dhw = {g.d, g.h, g.w};
  out.spacing_ijk = {p.inplane_mm, p.inplane_mm, p.slice_mm};
  out.adc_slope = p.adc_slope;
  std::array<float*, kSynthVolumeCount> data{};
  for (int v = 0; v < kSynthVolumeCount; ++v) {
    out.volumes[v] = torch::zeros({g.d, g.h, g.w}, torch::kFloat32);
    data[v] = out.volumes[v].data_ptr<float>();
  }

  const Scene scene{p, axes, perfusion_texture, adc_texture, gyri, lesion_shape, evidence, decoys};
  // One noise stream per slice: the voxels do not depend on how slices are split over threads.
  at::parallel_for(0, g.d, 1, [&](int64_t k_begin, int64_t k_end) {
    for (int64_t k = k_begin; k < k_end; ++k) {
      Rng noise(derive_seed({case_seed, 2, static_cast<uint64_t>(k)}));
      for (int64_t j = 0; j < g.h; ++j) {
        for (int64_t i = 0; i < g.w; ++i) {
          render_voxel(scene, k, j, i, noise, data, (k * g.h + j) * g.w + i);
        }
      }
    }
  });
  return out;
}

}  // namespace lrpseg
