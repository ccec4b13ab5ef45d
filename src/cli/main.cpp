#include <iostream>

#include "cli/commands.h"
#include "util/allocator.h"
#include "util/error.h"
#include "util/threads.h"

int main(int argc, char** argv) {
  lrpseg::reexec_with_passive_openmp(argc, argv);
  lrpseg::keep_freed_memory();
  CLI::App app{"lrpseg: explainable 3D lesion segmentation (3D U-Net + LRP, Tjoa et al.)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "lrpseg 0.1.0");
  app.option_defaults()->always_capture_default();
  lrpseg::cli::add_synth(app);
  lrpseg::cli::add_info(app);
  lrpseg::cli::add_train(app);
  lrpseg::cli::add_segment(app);
  lrpseg::cli::add_explain(app);
  lrpseg::cli::add_sweep(app);
  lrpseg::cli::add_figure(app);
  lrpseg::cli::add_report(app);
  lrpseg::cli::add_demo(app);
  lrpseg::cli::add_experiment(app);
  lrpseg::cli::add_evaluate(app);
  lrpseg::cli::add_import(app);
  lrpseg::cli::add_bench(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const lrpseg::Error& e) {
    std::cerr << "lrpseg: error: " << e.what() << "\n";
    return 1;
  } catch (const c10::Error& e) {
    std::cerr << "lrpseg: error: " << e.what_without_backtrace() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "lrpseg: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
