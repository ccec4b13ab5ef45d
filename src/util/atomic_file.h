#pragma once
// Outputs are written to a temporary name beside the target and renamed into
// place, so an interrupted run never leaves a half-written file.
#include <functional>
#include <string>

namespace lrpseg {

// Calls write(tmp_path) and renames tmp_path to path; the temporary is removed
// when write throws.
void write_atomically(const std::string& path,
                      const std::function<void(const std::string&)>& write);

void write_text_atomically(const std::string& path, const std::string& text);

std::string read_text(const std::string& path);

}  // namespace lrpseg
