#pragma once
// The report's stylesheet, embedded in the page so it needs no other file.
#include <string>

namespace lrpseg {

const std::string& report_stylesheet();

}  // namespace lrpseg
