#pragma once
// `--nproc N`: N copies of this program as the ranks of one job on this machine, each told its
// place through torchrun's environment variables (distributed/process_group.h).
#include <string>
#include <vector>

namespace lrpseg {

// The program's command line as main received it, for the ranks run_local_ranks starts.
void set_program_arguments(int argc, char** argv);
const std::vector<std::string>& program_arguments();

// A local TCP port nobody listens on now (the kernel's pick), for a job's MASTER_PORT.
int free_local_port();

// Whether this process is one of the ranks run_local_ranks started.
bool launched_as_rank();

// Starts `nproc` copies of this program (/proc/self/exe with `arguments`, argv[0] included) with
// RANK = LOCAL_RANK = r, WORLD_SIZE = LOCAL_WORLD_SIZE = nproc, MASTER_ADDR = 127.0.0.1 and
// MASTER_PORT a free port (the caller's MASTER_PORT when set), and waits for them. When one
// ends with an error or a signal, the others are stopped (SIGTERM, SIGKILL after 10 s) and an
// Error names the rank and how it ended (the rank has printed its own error already).
void run_local_ranks(int nproc, const std::vector<std::string>& arguments);

}  // namespace lrpseg
