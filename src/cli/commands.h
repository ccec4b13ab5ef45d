#pragma once
// One file per subcommand: each adds its options to the app and sets a
// callback that validates them and calls the library.
#include <CLI/CLI.hpp>

namespace lrpseg::cli {

void add_synth(CLI::App& app);
void add_info(CLI::App& app);
void add_train(CLI::App& app);
void add_segment(CLI::App& app);
void add_explain(CLI::App& app);
void add_bench(CLI::App& app);
void add_bench_train(CLI::App* bench);        // `bench train`, registered by add_bench
void add_bench_attribution(CLI::App* bench);  // `bench attribution`, likewise
void add_sweep(CLI::App& app);
void add_figure(CLI::App& app);
void add_report(CLI::App& app);
void add_demo(CLI::App& app);
void add_experiment(CLI::App& app);
void add_evaluate(CLI::App& app);
void add_import(CLI::App& app);

}  // namespace lrpseg::cli
