#pragma once
#include <stdexcept>
#include <string>

namespace lrpseg {

// The one error type of the library. Its message names the file or option and
// what is wrong; the CLI prints it as one line and exits non-zero.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace lrpseg
