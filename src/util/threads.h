#pragma once

#include <string>

namespace lrpseg {

// Sets LibTorch's intra-op threads and OpenBLAS's own pool (which LibTorch
// does not configure) to `threads`; 0 means all cores. Returns the count used.
int configure_threads(int threads);

// LibTorch's OpenMP pool and OpenBLAS's own pool take turns on the same cores;
// with libgomp's default (active) wait policy the idle pool spins and steals
// the cores from the busy one: a width-8 forward took 0.56 s instead of 0.22 s
// on 2 cores, a training step 0.79 s instead of 0.53 s. libgomp reads
// OMP_WAIT_POLICY once, when it is loaded (before main), so when it is unset
// this sets it to PASSIVE and re-executes the program with the same arguments;
// a value the user set is kept. Loading LibTorch again costs about 0.7 s, so
// only the computing subcommands (train, segment, explain, sweep, figure,
// evaluate, demo, experiment, bench) re-execute. Returns only when no
// re-execution happened.
void reexec_with_passive_openmp(int argc, char** argv);

// OMP_WAIT_POLICY as this process runs ("default" when unset), for benchmarks.
const char* openmp_wait_policy();

// The kernels OpenBLAS runs ("none" without OpenBLAS), for benchmarks: they follow the
// CPU, or OPENBLAS_CORETYPE where the environment sets it (some machines must).
std::string openblas_core();

}  // namespace lrpseg
