// Faults while a checkpoint is written: the disk fills, the output directory
// goes away, the process is killed with SIGKILL at random points. In every
// case the last good checkpoint stays loadable and nothing half-written is
// ever read back as a checkpoint.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <torch/types.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "core/checkpoint.h"
#include "core/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

std::string FreshDir(const std::string& name) {
  const char* root = std::getenv("TEST_TMPDIR");
  const std::string dir = std::string(root ? root : "/tmp") + "/" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// A checkpoint of `n` doubles, all equal to the step.
std::vector<NamedTensor> StepTensors(int64_t step, int64_t n) {
  return {{"w", torch::full({n}, static_cast<double>(step), torch::kDouble)}};
}

// Loads `path` and checks it is a whole checkpoint: its tensor matches its step.
void ExpectWholeCheckpoint(const std::string& path, int64_t n, int64_t* step_out) {
  torch::Tensor into = torch::zeros({n}, torch::kDouble);
  ISOAE_ASSERT_OK_AND_ASSIGN(int64_t step, LoadCheckpoint(path, "fp", {{"w", into}}));
  EXPECT_TRUE(torch::all(into == static_cast<double>(step)).item<bool>())
      << "checkpoint of step " << step << " holds other values";
  *step_out = step;
}

TEST(CheckpointFaultTest, FullDiskKeepsTheLastGoodCheckpoint) {
  const std::string dir = FreshDir("full_disk");
  const std::string path = dir + "/ckpt.pt";
  ISOAE_ASSERT_OK(SaveCheckpoint(path, 1, "fp", StepTensors(1, 16)));
  // A file-size limit makes writes past 64 KiB fail with EFBIG, as a full
  // disk fails them with ENOSPC.
  rlimit old;
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  sighandler_t old_handler = signal(SIGXFSZ, SIG_IGN);
  rlimit small = old;
  small.rlim_cur = 64 << 10;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  const absl::Status s = SaveCheckpoint(path, 2, "fp", StepTensors(2, 1 << 17));
  setrlimit(RLIMIT_FSIZE, &old);
  signal(SIGXFSZ, old_handler);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInternal,
                          HasSubstr("writing checkpoint " + path + ".tmp")));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  int64_t step = 0;
  ExpectWholeCheckpoint(path, 16, &step);
  EXPECT_EQ(step, 1);
}

TEST(CheckpointFaultTest, OutputDirectoryGoneIsAClearError) {
  const std::string dir = FreshDir("gone");
  const std::string path = dir + "/run/ckpt.pt";
  ISOAE_ASSERT_OK(SaveCheckpoint(path, 1, "fp", StepTensors(1, 16)));
  // The run directory is replaced by a file (works as root too, where a
  // read-only mode would not stop the write).
  std::filesystem::remove_all(dir + "/run");
  std::ofstream(dir + "/run") << "not a directory";
  EXPECT_THAT(SaveCheckpoint(path, 2, "fp", StepTensors(2, 16)),
              StatusIs(absl::StatusCode::kInternal,
                       AllOf(HasSubstr("writing checkpoint"), HasSubstr(path))));
}

TEST(CheckpointFaultTest, KillNineAtRandomPointsNeverLeavesACorruptCheckpoint) {
  const std::string dir = FreshDir("kill");
  const std::string path = dir + "/ckpt.pt";
  constexpr int64_t kN = 1 << 19;  // 4 MiB per checkpoint: writes take a while
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> delay_us(0, 400000);
  int64_t last = 0;
  int torn_writes = 0;
  // At least 12 rounds, and more (up to 60) until two kills have landed in
  // the middle of a write: under sanitizers the child spends longer between
  // writes, and a fixed number of rounds can miss every write.
  int round = 0;
  for (; round < 12 || (torn_writes < 2 && round < 60); ++round) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // The child writes checkpoints as fast as it can, resuming from the
      // last step like a training run does.
      // The tensor is allocated once and refilled, so that the child's time
      // goes into writing.
      int64_t step = last;
      std::vector<NamedTensor> tensors = StepTensors(step, kN);
      while (true) {
        ++step;
        tensors[0].tensor.fill_(static_cast<double>(step));
        if (!SaveCheckpoint(path, step, "fp", tensors).ok()) _exit(3);
      }
    }
    if (round == 0) {
      // Let the first checkpoint complete (fsync included), so that every
      // kill below lands while a newer one is being written over it.
      for (int i = 0; i < 1000 && !std::filesystem::exists(path); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(rng)));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "writer exited by itself, status " << status;
    ASSERT_TRUE(std::filesystem::exists(path)) << "no checkpoint after round " << round;
    int64_t step = 0;
    ExpectWholeCheckpoint(path, kN, &step);
    EXPECT_GE(step, last) << "round " << round << " went back to an older checkpoint";
    last = step;
    if (std::filesystem::exists(path + ".tmp")) ++torn_writes;
  }
  // The kills did land in the middle of writes (a stale .tmp is overwritten
  // by the next save).
  EXPECT_GE(torn_writes, 2) << "after " << round << " rounds";
  EXPECT_GT(last, 1);
}

}  // namespace
}  // namespace isoae
