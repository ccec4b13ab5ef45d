#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/config_file.h"
#include "distributed/launcher.h"
#include "util/allocator.h"
#include "util/error.h"
#include "util/threads.h"

int main(int argc, char** argv) {
  lrpseg::reexec_with_passive_openmp(argc, argv);
  lrpseg::set_program_arguments(argc, argv);
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
  app.footer(
      "Exit status: 0 done; 1 runtime error (a file that cannot be read or written, a failed "
      "computation); 2 usage error (unknown option or command, an option value that cannot be "
      "used). Errors are one line on stderr naming the file or option.");
  try {
    // Config files first: CLI11 reads those of the main app only.
    std::vector<std::string> args =
        lrpseg::cli::expand_config_files(app, std::vector<std::string>(argv + 1, argv + argc));
    std::vector<const char*> words{argv[0]};
    for (const std::string& a : args) words.push_back(a.c_str());
    app.parse(static_cast<int>(words.size()), words.data());
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::string command = "lrpseg";
    for (const CLI::App* sub : app.get_subcommands()) command += " " + sub->get_name();
    std::cerr << "lrpseg: error: " << e.what() << " (see " << command << " --help)\n";
    return 2;
  } catch (const lrpseg::UsageError& e) {
    std::cerr << "lrpseg: error: " << e.what() << "\n";
    return 2;
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
