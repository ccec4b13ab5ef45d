#pragma once
// A small, fully specified random number generator for the synthetic data.
// std::normal_distribution and friends are implementation-defined, so the same
// seed could give different volumes with another standard library; these
// generators are written out, and give the same numbers everywhere.
#include <cmath>
#include <cstdint>
#include <initializer_list>

namespace lrpseg {

// splitmix64 (Steele, Lea, Flood 2014): turns any 64-bit value into a well-mixed one.
inline uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// A seed for an independent stream named by a path of integers, e.g.
// derive_seed({seed, split, case_number}); changing any part changes the stream.
inline uint64_t derive_seed(std::initializer_list<uint64_t> parts) {
  uint64_t state = 0x6C7270736567ULL;  // "lrpseg"
  for (uint64_t part : parts) {
    state ^= part;
    state = splitmix64(state);
  }
  return state;
}

// xoshiro256** (Blackman & Vigna 2018) with Marsaglia's polar method for normals.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& word : s_) word = splitmix64(seed);
  }

  uint64_t next_u64() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [lo, hi].
  int64_t uniform_int(int64_t lo, int64_t hi) {
    const auto span = static_cast<uint64_t>(hi - lo) + 1;
    return lo + static_cast<int64_t>(next_u64() % span);  // bias < 2^-40 for small spans
  }
  // +1 or -1 with equal probability.
  double sign() { return (next_u64() >> 63) ? 1.0 : -1.0; }

  // Standard normal, Marsaglia's polar method (two values per accepted pair).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u, v, s;
    do {
      u = 2.0 * uniform() - 1.0;
      v = 2.0 * uniform() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double factor = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * factor;
    has_spare_ = true;
    return u * factor;
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  uint64_t s_[4];
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace lrpseg
