// lrpseg re-executes itself with passive OpenMP waits unless the user chose a
// policy (util/threads.h), and bench reports the policy it ran with.
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "run_command.h"

namespace lrpseg {
namespace {

std::string policy_of(const std::string& environment) {
  const test::CommandResult r =
      test::run_shell("env " + environment + " " + LRPSEG_BINARY +
                      " bench lrp --width 2 --size 4x8x8 --repeat 1 --sweep 1 --threads 1 --json");
  EXPECT_EQ(r.status, 0) << r.output;
  const std::string json = r.output.substr(r.output.find('{'));
  const nlohmann::json j = nlohmann::json::parse(json);
  // The OpenBLAS kernels are reported too: what the machine's environment chose, or the CPU.
  const char* forced = std::getenv("OPENBLAS_CORETYPE");
  if (forced != nullptr && j.at("openblas_core") != "none") {
    EXPECT_EQ(j.at("openblas_core"), forced);
  }
  EXPECT_FALSE(j.at("openblas_core").get<std::string>().empty());
  return j.at("omp_wait_policy").get<std::string>();
}

TEST(OpenMpWaits, PassiveUnlessTheUserChoseAPolicy) {
  EXPECT_EQ(policy_of("-u OMP_WAIT_POLICY"), "PASSIVE");
  EXPECT_EQ(policy_of("OMP_WAIT_POLICY=ACTIVE"), "ACTIVE");
}

}  // namespace
}  // namespace lrpseg
