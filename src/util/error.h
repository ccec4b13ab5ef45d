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

// A bad command line: an option's value that cannot be used (unknown name, out
// of range, does not fit the model). The CLI exits with 2 for it, 1 for Error.
class UsageError : public Error {
 public:
  using Error::Error;
};

// A bad value of `option`: a UsageError when it came from the command line
// ("--name"), an Error when it came from a file (e.g. "config.json: loss").
[[noreturn]] inline void throw_option_error(const std::string& option, const std::string& message) {
  if (option.rfind("--", 0) == 0) throw UsageError(option + message);
  throw Error(option + message);
}

}  // namespace lrpseg
