// Data-parallel training (core/distributed.h) across real processes: two
// ranks on localhost end where one process with the same global batch ends,
// a run resumes on another world size, a NaN on one rank stops both, and
// bad configurations are refused by name.
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ATen/ATen.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/autoencoder.h"
#include "core/checkpoint.h"
#include "core/distributed.h"
#include "core/networks.h"
#include "core/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

extern char** environ;

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::HasSubstr;

std::string Worker() {
  const char* dir = std::getenv("TEST_SRCDIR");
  const char* ws = std::getenv("TEST_WORKSPACE");
  return std::string(dir ? dir : ".") + "/" + (ws ? ws : "isoae") + "/core/distributed_worker";
}

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

// A TCP port that was free a moment ago.
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

pid_t Spawn(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  EXPECT_EQ(posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ), 0);
  return pid;
}

int Wait(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Runs `world` ranks (world 1: one plain process) and returns their exit codes.
std::vector<int> RunRanks(int world, const std::vector<std::string>& flags) {
  const int port = FreePort();
  std::vector<pid_t> pids;
  for (int r = 0; r < world; ++r) {
    std::vector<std::string> args = {Worker(), absl::StrCat("--world_size=", world),
                                     absl::StrCat("--rank=", r),
                                     absl::StrCat("--master_port=", port), "--threads=1",
                                     "--dist_timeout_s=60"};
    args.insert(args.end(), flags.begin(), flags.end());
    pids.push_back(Spawn(args));
  }
  std::vector<int> codes;
  for (pid_t p : pids) codes.push_back(Wait(p));
  return codes;
}

// The parameters stored in a worker's checkpoint.
std::vector<at::Tensor> Params(const std::string& path) {
  absl::StatusOr<Autoencoder> ae =
      BuildAutoencoder(SymmetricMlp(5, 2, 16, 2), at::TensorOptions().dtype(at::kDouble));
  EXPECT_TRUE(ae.ok());
  absl::StatusOr<int64_t> step = LoadModelFromCheckpoint(path, ae->Fingerprint(), ae->State());
  EXPECT_TRUE(step.ok()) << step.status();
  return ae->Parameters();
}

void ExpectSameParams(const std::string& a, const std::string& b) {
  const std::vector<at::Tensor> pa = Params(a);
  const std::vector<at::Tensor> pb = Params(b);
  ASSERT_EQ(pa.size(), pb.size());
  double worst = 0;
  for (size_t i = 0; i < pa.size(); ++i) {
    worst = std::max(worst, (pa[i] - pb[i]).abs().max().item<double>());
  }
  EXPECT_LT(worst, 1e-10) << a << " vs " << b;
}

TEST(DistributedTest, TwoRanksEndWhereOneProcessEnds) {
  const std::vector<std::string> common = {"--epochs=4", "--batch_size=20", "--lr=0.01",
                                           "--seed=3", "--checkpoint_every=0"};
  auto with = [&](const std::string& ckpt) {
    std::vector<std::string> f = common;
    f.push_back("--checkpoint=" + ckpt);
    return f;
  };
  const std::string one = TempPath("dp_one.pt");
  const std::string two = TempPath("dp_two.pt");
  const std::string three = TempPath("dp_three.pt");
  EXPECT_EQ(RunRanks(1, with(one)), std::vector<int>({0}));
  EXPECT_EQ(RunRanks(2, with(two)), std::vector<int>({0, 0}));
  // 20-row batches over 3 ranks: shards of 7, 7 and 6 rows, weighted.
  EXPECT_EQ(RunRanks(3, with(three)), std::vector<int>({0, 0, 0}));
  ExpectSameParams(one, two);
  ExpectSameParams(one, three);
  // Training moved the parameters away from the initialisation.
  absl::StatusOr<Autoencoder> init =
      BuildAutoencoder(SymmetricMlp(5, 2, 16, 2), at::TensorOptions().dtype(at::kDouble));
  ASSERT_TRUE(init.ok());
  EXPECT_GT((Params(one)[0] - init->Parameters()[0]).abs().max().item<double>(), 1e-3);
}

TEST(DistributedTest, ResumesOnAnotherWorldSize) {
  const std::string whole = TempPath("dp_whole.pt");
  const std::string split = TempPath("dp_split.pt");
  const std::vector<std::string> common = {"--batch_size=20", "--lr=0.01", "--seed=5",
                                           "--checkpoint_every=0"};
  std::vector<std::string> f = common;
  f.insert(f.end(), {"--epochs=4", "--checkpoint=" + whole});
  EXPECT_EQ(RunRanks(1, f), std::vector<int>({0}));
  f = common;
  f.insert(f.end(), {"--epochs=2", "--checkpoint=" + split});
  EXPECT_EQ(RunRanks(2, f), std::vector<int>({0, 0}));
  f = common;
  f.insert(f.end(), {"--epochs=4", "--resume", "--checkpoint=" + split});
  EXPECT_EQ(RunRanks(3, f), std::vector<int>({0, 0, 0}));
  ExpectSameParams(whole, split);
}

TEST(DistributedTest, NanOnOneRankStopsEveryRank) {
  const std::vector<int> codes =
      RunRanks(2, {"--epochs=4", "--batch_size=20", "--checkpoint_every=0", "--nan_on_rank1",
                   "--checkpoint=" + TempPath("dp_nan.pt")});
  ASSERT_EQ(codes.size(), 2u);
  EXPECT_EQ(codes[0], 1);  // kInternal, "on another rank"
  EXPECT_EQ(codes[1], 1);
}

TEST(DistributedTest, BadConfigurationsAreRefusedByName) {
  DistributedOptions o;
  o.world_size = 2;
  o.rank = 2;
  EXPECT_THAT(ValidateDistributedOptions(o),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--rank must be in [0, 2)")));
  o.rank = 0;
  o.master_port = 70000;
  EXPECT_THAT(ValidateDistributedOptions(o),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--master_port")));
  o.master_port = 1234;
  o.world_size = 0;
  EXPECT_THAT(ValidateDistributedOptions(o),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--world_size")));
  // Nobody else joins: a clear timeout, not a hang.
  o.world_size = 2;
  o.master_port = FreePort();
  o.timeout_seconds = 2;
  EXPECT_THAT(DataParallel::Connect(o).status(),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("joining the training group")));
}

}  // namespace
}  // namespace isoae
