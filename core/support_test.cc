// Tests of the small support libraries: torch boundary, tables, figures,
// device parsing and user paths.
#include <torch/cuda.h>

#include "third_party/torch_light.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/device.h"
#include "core/plot.h"
#include "core/status_matchers.h"
#include "core/table.h"
#include "core/torch_boundary.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

std::string Slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

TEST(TorchBoundaryTest, TurnsLibTorchErrorsIntoStatusWithoutBacktrace) {
  absl::Status s = TorchCall("multiplying", [] {
    torch::ones({2, 3}).mm(torch::ones({2, 3}));
  });
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInternal,
                          AllOf(HasSubstr("multiplying: "), HasSubstr("2x3"),
                                Not(HasSubstr("frame #")))));
  EXPECT_THAT(TorchCall("x", [] { throw std::runtime_error("plain"); },
                        absl::StatusCode::kDataLoss),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("x: plain")));
  ISOAE_EXPECT_OK(TorchCall("fine", [] { torch::ones({2}).sum(); }));
  absl::StatusOr<int> v = TorchCallOr<int>("value", [] { return 7; });
  ISOAE_ASSERT_OK(v);
  EXPECT_EQ(*v, 7);
  EXPECT_EQ(StripTorchBacktrace("msg line\nException raised from f at x.cpp:1\nframe #0: y"),
            "msg line");
}

TEST(TableTest, WritesCsvJsonAndText) {
  Table t({"surface", "I-AE", "note"});
  t.AddRow({"swiss_roll", Cell(0.0213456, 3), "a,b"});
  t.AddRow({"s_shape", Cell(1.5), "x"});
  ISOAE_ASSERT_OK(t.WriteCsv(TempPath("t/table.csv")));
  EXPECT_EQ(Slurp(TempPath("t/table.csv")),
            "surface,I-AE,note\nswiss_roll,0.0213456,\"a,b\"\ns_shape,1.5,x\n");
  ISOAE_ASSERT_OK(t.WriteJson(TempPath("t/table.json")));
  const std::string json = Slurp(TempPath("t/table.json"));
  EXPECT_THAT(json, HasSubstr("\"I-AE\": 0.0213456"));
  EXPECT_THAT(json, HasSubstr("\"note\": \"a,b\""));
  EXPECT_THAT(t.ToText(), HasSubstr("swiss_roll  0.0213"));
  EXPECT_THAT(WriteTextFile("/proc/definitely/not/writable.txt", "x"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("not/writable.txt")));
}

bool IsPng(const std::string& path) {
  std::string head = Slurp(path).substr(0, 8);
  return head == std::string("\x89PNG\r\n\x1a\n", 8);
}

TEST(PlotTest, WritesPngFiguresAndRejectsBadInput) {
  ScatterPlot sp;
  sp.title = "t";
  sp.x = {0, 1, 2};
  sp.y = {1, 0, 2};
  sp.color = {0, 0.5, 1};
  ISOAE_ASSERT_OK(WriteScatterPng(TempPath("fig/scatter.png"), sp));
  EXPECT_TRUE(IsPng(TempPath("fig/scatter.png")));
  Scene3d scene;
  scene.points = {{0, 0, 0}, {1, 1, 1}};
  scene.segments = {{{{0, 0, 0}, {1, 0, 1}}}};
  ISOAE_ASSERT_OK(WriteScene3dPng(TempPath("fig/scene.png"), scene));
  EXPECT_TRUE(IsPng(TempPath("fig/scene.png")));
  sp.y.pop_back();
  EXPECT_THAT(WriteScatterPng(TempPath("fig/bad.png"), sp),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("equal non-zero lengths")));
  sp.y = {1, NAN, 2};
  EXPECT_THAT(WriteScatterPng(TempPath("fig/bad.png"), sp),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("non-finite")));
  EXPECT_THAT(WriteScene3dPng(TempPath("fig/empty.png"), Scene3d{}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nothing to draw")));
}

TEST(DeviceTest, ParsesDevicesAndExplainsMissingCuda) {
  ISOAE_ASSERT_OK_AND_ASSIGN(c10::Device cpu, ParseDevice("cpu"));
  EXPECT_TRUE(cpu.is_cpu());
  ISOAE_ASSERT_OK_AND_ASSIGN(c10::Device a, ParseDevice("auto"));
  EXPECT_EQ(a.is_cuda(), torch::cuda::is_available());
  EXPECT_THAT(ParseDevice("gpu"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--device=gpu")));
  EXPECT_THAT(ParseDevice("cuda:x"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("cuda:N")));
  if (!torch::cuda::is_available()) {
    EXPECT_THAT(ParseDevice("cuda"),
                StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("LIBTORCH_HOME")));
  }
}

TEST(DeviceTest, UserPathsResolveAgainstTheBazelWorkingDirectory) {
  setenv("BUILD_WORKING_DIRECTORY", "/home/u/proj", 1);
  EXPECT_EQ(ResolveUserPath("out/x"), "/home/u/proj/out/x");
  EXPECT_EQ(ResolveUserPath("/abs/x"), "/abs/x");
  unsetenv("BUILD_WORKING_DIRECTORY");
  EXPECT_EQ(ResolveUserPath("out/x"), "out/x");
  setenv("HOME", "/home/u", 1);
  EXPECT_EQ(ResolveUserPath("~/data/cifar"), "/home/u/data/cifar");
  EXPECT_EQ(ResolveUserPath("~"), "/home/u");
  EXPECT_EQ(ResolveUserPath("~user/x"), "~user/x");  // left alone
}

}  // namespace
}  // namespace isoae
