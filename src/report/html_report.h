#pragma once
// `lrpseg report`: one self-contained HTML page of a run directory (DESIGN.md §4
// "Report"), from RUN/run.json and the files it names. Images, styles, script
// and the slice viewer's data are embedded, so the page needs no network and
// still shows everything when moved alone; only the sweep's CSV files are
// linked (relative to the run directory).
#include <string>

namespace lrpseg {

// The page of the run in `run_dir`. Throws lrpseg::Error naming the file when
// run.json is missing or malformed or a file it names does not exist; sections
// whose manifest keys are absent are left out.
std::string render_report(const std::string& run_dir);

// Writes render_report(run_dir) to RUN/report.html atomically; returns its path.
std::string write_report(const std::string& run_dir);

}  // namespace lrpseg
