// atomic_file.h — files that are complete under their final name or absent.
//
//   moodtune::write_file_atomically("run/report.json", j.dump(2));
//   moodtune::write_atomically("run/curves.png",
//       [&](const std::string& tmp) { if (!cv::imwrite(tmp, img)) throw std::runtime_error("encoding failed"); });
//
// What it represents: one write-beside-then-rename. The content goes to a
// hidden temporary file in the target's folder (same file system, so the
// rename is atomic on POSIX) and is renamed over the target once complete.
// A reader never sees half a file; a failed or interrupted write (disk full,
// an exception, SIGKILL) leaves the previous file as it was. The file and
// then its folder are fsync'ed around the rename, so a power cut or a kernel
// crash leaves the old file or the whole new one as well, never an empty one. The temporary
// name (".<stem>.tmp-<pid>-<n><extension>") keeps the target's extension,
// since writers such as cv::imwrite pick the format by it; only a killed
// process leaves it behind, for its owner to sweep (the checkpoint writer
// does).
//
// A target that is a device, pipe or socket (`--json /dev/stdout`, a FIFO)
// is written in place, since there is nothing to rename over: atomicity is
// for files.
//
// Contract: the target's folder must exist (it is not created: a typo'd
// folder should be an error, not a new tree). Errors throw
// std::runtime_error naming the target and the reason; the temporary file is
// removed first. Thread safety: any number of threads may write at once,
// also to the same target (each write is whole; the last rename wins).
#pragma once
#include <functional>
#include <string>
#include <string_view>

namespace moodtune {

// Writes `bytes` to `path` atomically.
void write_file_atomically(const std::string& path, std::string_view bytes);

// Calls `write(tmp_path)` to produce the file, then renames it over `path`.
// `write` reports failure by throwing; whatever it leaves behind is removed.
void write_atomically(const std::string& path, const std::function<void(const std::string& tmp_path)>& write);

}  // namespace moodtune
