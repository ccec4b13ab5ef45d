#include "distributed/launcher.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "util/error.h"

extern char** environ;

namespace lrpseg {
namespace {

constexpr const char* kLaunchedVariable = "LRPSEG_LAUNCHED_RANK";

}  // namespace

int free_local_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw Error(std::string("--nproc: cannot open a socket: ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  const int saved = errno;
  close(fd);
  if (!ok) throw Error(std::string("--nproc: no free local port: ") + std::strerror(saved));
  return ntohs(address.sin_port);
}

namespace {

// The environment of rank `rank`: ours without the job variables, then the job's.
std::vector<std::string> rank_environment_strings(int rank, int nproc, int port) {
  static const char* const kJobVariables[] = {
      "RANK",        "WORLD_SIZE",  "LOCAL_RANK",     "LOCAL_WORLD_SIZE",
      "MASTER_ADDR", "MASTER_PORT", kLaunchedVariable};
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    bool job = false;
    for (const char* name : kJobVariables) job |= entry.rfind(std::string(name) + "=", 0) == 0;
    if (!job) env.push_back(entry);
  }
  for (const auto& [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"RANK", std::to_string(rank)},
                                                        {"LOCAL_RANK", std::to_string(rank)},
                                                        {"WORLD_SIZE", std::to_string(nproc)},
                                                        {"LOCAL_WORLD_SIZE", std::to_string(nproc)},
                                                        {"MASTER_ADDR", "127.0.0.1"},
                                                        {"MASTER_PORT", std::to_string(port)},
                                                        {kLaunchedVariable, "1"}}) {
    env.push_back(name + "=" + value);
  }
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> p;
  for (auto& s : strings) p.push_back(s.data());
  p.push_back(nullptr);
  return p;
}

std::string how_it_ended(int status) {
  if (WIFSIGNALED(status)) {
    const int signal = WTERMSIG(status);
    const char* name = strsignal(signal);
    return "was killed by signal " + std::to_string(signal) +
           (name ? std::string(" (") + name + ")" : "");
  }
  return "exited with status " + std::to_string(WEXITSTATUS(status));
}

std::vector<std::string>& arguments_storage() {
  static std::vector<std::string> arguments;
  return arguments;
}

}  // namespace

void set_program_arguments(int argc, char** argv) { arguments_storage().assign(argv, argv + argc); }

const std::vector<std::string>& program_arguments() { return arguments_storage(); }

bool launched_as_rank() {
  const char* v = std::getenv(kLaunchedVariable);
  return v != nullptr && std::strcmp(v, "1") == 0;
}

void run_local_ranks(int nproc, const std::vector<std::string>& arguments) {
  if (nproc < 1) throw UsageError("--nproc: must be at least 1");
  int port = 0;
  if (const char* given = std::getenv("MASTER_PORT"); given != nullptr && *given != '\0') {
    port = std::atoi(given);
    if (port < 1 || port > 65535)
      throw Error(std::string("MASTER_PORT='") + given + "': not a port");
  } else {
    port = free_local_port();
  }
  // Everything exec needs is built before fork: a child of a threaded process may only call
  // async-signal-safe functions until it execs.
  std::vector<std::vector<std::string>> environments;
  for (int r = 0; r < nproc; ++r) environments.push_back(rank_environment_strings(r, nproc, port));
  std::vector<std::string> argv = arguments;
  std::vector<char*> argv_pointers = pointers(argv);
  std::vector<pid_t> pids;
  for (int r = 0; r < nproc; ++r) {
    std::vector<char*> envp = pointers(environments[static_cast<size_t>(r)]);
    const pid_t pid = fork();
    if (pid < 0) {
      for (pid_t p : pids) kill(p, SIGKILL);
      throw Error(std::string("--nproc: cannot start rank ") + std::to_string(r) + ": " +
                  std::strerror(errno));
    }
    if (pid == 0) {
      execve("/proc/self/exe", argv_pointers.data(), envp.data());
      _exit(127);
    }
    pids.push_back(pid);
  }

  // Wait for all; the first failure stops the rest.
  int failed_rank = -1, failed_status = 0, running = nproc;
  std::chrono::steady_clock::time_point kill_at{};
  while (running > 0) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, failed_rank >= 0 ? WNOHANG : 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;  // no children left
    }
    if (pid == 0) {  // stopping the others: escalate after the grace period
      if (std::chrono::steady_clock::now() >= kill_at) {
        for (pid_t p : pids)
          if (p > 0) kill(p, SIGKILL);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    for (size_t r = 0; r < pids.size(); ++r) {
      if (pids[r] != pid) continue;
      pids[r] = -1;
      --running;
      const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
      if (!ok && failed_rank < 0) {
        failed_rank = static_cast<int>(r);
        failed_status = status;
        for (pid_t p : pids)
          if (p > 0) kill(p, SIGTERM);
        kill_at = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      }
    }
  }
  if (failed_rank >= 0) {
    throw Error("rank " + std::to_string(failed_rank) + " of " + std::to_string(nproc) + " " +
                how_it_ended(failed_status) + "; the other ranks were stopped");
  }
}

}  // namespace lrpseg
