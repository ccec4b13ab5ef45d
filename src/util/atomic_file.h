#pragma once
// Outputs are written to a temporary name beside the target and renamed into
// place, so an interrupted run never leaves a half-written file; the file is
// fsync'ed before the rename and its folder after it, so a file reported
// written survives a power cut too.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace lrpseg {

// Calls write(tmp_path), syncs it, renames tmp_path to path and syncs the
// folder; the temporary is removed when anything throws.
void write_atomically(const std::string& path,
                      const std::function<void(const std::string&)>& write);

void write_text_atomically(const std::string& path, const std::string& text);

std::string read_text(const std::string& path);

// The hidden temporary an atomic write of `filename` uses in process `pid`:
// ".<filename>.tmp<pid><extension>" (NIfTI writes keep .nii/.nii.gz last, which
// nifticlib reads the format from); and the writer's pid when `name` is one.
std::string temporary_name(const std::string& filename, long pid,
                           const std::string& extension = "");
std::optional<long> temporary_writer(const std::string& name);

// fsync of a file (before renaming it into place) and of a folder (after
// renames into it, e.g. a checkpoint's commit); throw lrpseg::Error on failure.
void sync_file(const std::string& file);
void sync_folder(const std::string& folder);

// How many files and folders this process has synced (tests, diagnostics).
int64_t sync_count();

}  // namespace lrpseg
