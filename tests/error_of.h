#pragma once
#include <gtest/gtest.h>

#include <string>

#include "util/error.h"

namespace lrpseg::test {

// The message of the lrpseg::Error that `action` throws; a test failure if none.
template <typename Action>
std::string error_of(Action&& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an lrpseg::Error";
  return "";
}

}  // namespace lrpseg::test
