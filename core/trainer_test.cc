#include "core/trainer.h"

#include "third_party/torch_light.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <zlib.h>
#include <string>

#include "core/checkpoint.h"
#include "core/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

const auto kDouble = torch::TensorOptions().dtype(torch::kFloat64);

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

// A linear model y = x w with noisy targets; loss is the mean squared error.
struct Toy {
  Toy() {
    torch::manual_seed(1);
    w = torch::zeros({3, 1}, kDouble).set_requires_grad(true);
    torch::Tensor x = torch::randn({64, 3}, kDouble);
    torch::Tensor y = x.matmul(torch::tensor({{1.0}, {-2.0}, {0.5}}, kDouble)) +
                      0.01 * torch::randn({64, 1}, kDouble);
    data = torch::cat({x, y}, 1);
  }
  LossTerms Loss(const at::Tensor& b) const {
    torch::Tensor pred = b.slice(1, 0, 3).matmul(w);
    // A random term (as the I-AE samplers): resume must replay it exactly.
    torch::Tensor jitter = 1e-3 * torch::randn({1}, kDouble).sum();
    torch::Tensor mse = (pred - b.slice(1, 3, 4)).pow(2).mean() + jitter * w.sum();
    return {mse, {{"mse", mse.detach()}}};
  }
  std::vector<NamedTensor> State() const { return {{"w", w}}; }
  torch::Tensor w, data;
};

TrainConfig Quiet(int64_t epochs, int64_t batch) {
  TrainConfig c;
  c.epochs = epochs;
  c.batch_size = batch;
  c.learning_rate = 0.05;
  c.seed = 7;
  c.quiet = true;
  c.fingerprint = "toy";
  return c;
}

TEST(TrainerTest, LearnsTheToyModelAndRecordsHistory) {
  Toy t;
  ISOAE_ASSERT_OK_AND_ASSIGN(
      TrainHistory h, Train(Quiet(200, 16), {t.w}, t.State(), t.data,
                            [&](const at::Tensor& b) { return t.Loss(b); }));
  EXPECT_EQ(h.final_step, 200 * 4);
  EXPECT_FALSE(h.steps.empty());
  EXPECT_LT(h.terms["mse"].back(), 1e-2 * h.terms["mse"].front());
  EXPECT_NEAR(t.w[1].item<double>(), -2.0, 0.05);
}

TEST(TrainerTest, SameSeedSameResult) {
  Toy a, b;
  ISOAE_ASSERT_OK(Train(Quiet(5, 10), {a.w}, a.State(), a.data,
                        [&](const at::Tensor& x) { return a.Loss(x); }));
  ISOAE_ASSERT_OK(Train(Quiet(5, 10), {b.w}, b.State(), b.data,
                        [&](const at::Tensor& x) { return b.Loss(x); }));
  EXPECT_TRUE(torch::equal(a.w, b.w));
}

TEST(TrainerTest, ResumeContinuesExactlyWhereItStopped) {
  const std::string path = TempPath("resume.pt");
  Toy whole;
  ISOAE_ASSERT_OK(Train(Quiet(6, 10), {whole.w}, whole.State(), whole.data,
                        [&](const at::Tensor& x) { return whole.Loss(x); }));
  Toy part;
  TrainConfig first = Quiet(3, 10);
  first.checkpoint_path = path;
  ISOAE_ASSERT_OK(Train(first, {part.w}, part.State(), part.data,
                        [&](const at::Tensor& x) { return part.Loss(x); }));
  Toy resumed;  // fresh model and optimizer, state from the checkpoint
  TrainConfig second = Quiet(6, 10);
  second.checkpoint_path = path;
  second.resume = true;
  ISOAE_ASSERT_OK_AND_ASSIGN(
      TrainHistory h, Train(second, {resumed.w}, resumed.State(), resumed.data,
                            [&](const at::Tensor& x) { return resumed.Loss(x); }));
  EXPECT_EQ(h.final_step, 6 * 7);
  // Same data order, same random draws, same Adam moments: bit-identical.
  EXPECT_TRUE(torch::equal(resumed.w, whole.w)) << resumed.w << whole.w;
}

TEST(TrainerTest, NanStopsTrainingNamingStepTermAndLastGoodCheckpoint) {
  const std::string path = TempPath("nan.pt");
  Toy t;
  TrainConfig c = Quiet(10, 0);  // full batch: step == epoch
  c.checkpoint_path = path;
  c.checkpoint_every = 5;
  int64_t calls = 0;
  auto loss = [&](const at::Tensor& b) {
    LossTerms l = t.Loss(b);
    if (calls++ == 7) {
      torch::Tensor bad = l.total * std::nan("");
      return LossTerms{bad, {{"mse", l.terms[0].second}, {"L_iso", bad.detach()}}};
    }
    return l;
  };
  EXPECT_THAT(Train(c, {t.w}, t.State(), t.data, loss),
              StatusIs(absl::StatusCode::kInternal,
                       AllOf(HasSubstr("'L_iso'"), HasSubstr("at step 7"),
                             HasSubstr(path + " (step 5)"))));
  // The last good state is on disk and finite.
  Toy fresh;
  ISOAE_ASSERT_OK_AND_ASSIGN(int64_t step, LoadCheckpoint(path, "toy", fresh.State()));
  EXPECT_EQ(step, 5);
  EXPECT_TRUE(torch::isfinite(fresh.w).all().item<bool>());
}

// The output directory vanishes in the middle of a run (replaced by a file
// here, which stops root too): the run stops with an error that names the
// failed write and the last good checkpoint, which is still on disk.
TEST(TrainerTest, FailedCheckpointWriteStopsNamingTheLastGoodOne) {
  const std::string dir = TempPath("vanishing");
  std::filesystem::remove_all(dir);
  const std::string path = dir + "/ckpt.pt";
  Toy t;
  TrainConfig c = Quiet(10, 0);
  c.checkpoint_path = path;
  c.checkpoint_every = 5;
  int64_t calls = 0;
  std::string saved;
  auto loss = [&](const at::Tensor& b) {
    if (calls++ == 7) {
      std::filesystem::copy_file(path, dir + ".keep");
      std::filesystem::remove_all(dir);
      std::ofstream(dir) << "not a directory";
    }
    return t.Loss(b);
  };
  EXPECT_THAT(Train(c, {t.w}, t.State(), t.data, loss),
              StatusIs(absl::StatusCode::kInternal,
                       AllOf(HasSubstr("writing checkpoint " + path),
                             HasSubstr("last good checkpoint: " + path + " (step 5)"))));
  Toy fresh;
  ISOAE_ASSERT_OK_AND_ASSIGN(int64_t step, LoadCheckpoint(dir + ".keep", "toy", fresh.State()));
  EXPECT_EQ(step, 5);
  std::filesystem::remove(dir);
  std::filesystem::remove(dir + ".keep");
}

TEST(TrainerTest, EvaluationHookRunsPeriodicallyAndCanStopTraining) {
  Toy t;
  TrainConfig c = Quiet(10, 0);
  c.eval_every = 3;
  std::vector<int64_t> seen;
  ISOAE_ASSERT_OK(Train(c, {t.w}, t.State(), t.data,
                        [&](const at::Tensor& b) { return t.Loss(b); },
                        [&](int64_t step) {
                          seen.push_back(step);
                          return absl::OkStatus();
                        }));
  EXPECT_EQ(seen, (std::vector<int64_t>{3, 6, 9}));
  EXPECT_THAT(Train(c, {t.w}, t.State(), t.data,
                    [&](const at::Tensor& b) { return t.Loss(b); },
                    [&](int64_t step) { return absl::DataLossError("validation file gone"); }),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("validation file gone")));
}

TEST(TrainerTest, BadConfigIsInvalidArgument) {
  Toy t;
  auto loss = [&](const at::Tensor& b) { return t.Loss(b); };
  TrainConfig c = Quiet(1, 0);
  c.learning_rate = 0;
  EXPECT_THAT(Train(c, {t.w}, t.State(), t.data, loss),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("learning_rate")));
  c = Quiet(-1, 0);
  EXPECT_THAT(Train(c, {t.w}, t.State(), t.data, loss),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("epochs")));
  c = Quiet(1, -5);
  EXPECT_THAT(Train(c, {t.w}, t.State(), t.data, loss),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("batch_size")));
  c = Quiet(1, 0);
  EXPECT_THAT(Train(c, {t.w}, t.State(), torch::zeros({0, 4}), loss),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("non-empty")));
  c.resume = true;
  EXPECT_THAT(Train(c, {t.w}, t.State(), t.data, loss),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("checkpoint path")));
  c.checkpoint_path = TempPath("never_written.pt");
  EXPECT_THAT(Train(c, {t.w}, t.State(), t.data, loss),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("never_written.pt")));
}

TEST(CheckpointTest, ModelLoadAcceptsRunDetailsAfterTheArchitecture) {
  const std::string path = TempPath("model.pt");
  torch::Tensor a = torch::arange(4, kDouble);
  ISOAE_ASSERT_OK(SaveCheckpoint(path, 7, "arch-X; method I-AE; seed 3",
                                 {{"a", a}, {"adam/a", a}}));
  torch::Tensor into = torch::zeros({4}, kDouble);
  ISOAE_ASSERT_OK_AND_ASSIGN(int64_t step, LoadModelFromCheckpoint(path, "arch-X", {{"a", into}}));
  EXPECT_EQ(step, 7);
  EXPECT_TRUE(torch::equal(into, a));
  // Another architecture, or one that only shares a prefix, is refused.
  EXPECT_THAT(LoadModelFromCheckpoint(path, "arch-Y", {{"a", into}}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("'arch-Y'")));
  EXPECT_THAT(LoadModelFromCheckpoint(path, "arch", {{"a", into}}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("'arch'")));
  // The exact-match loader still insists on the whole fingerprint.
  EXPECT_THAT(LoadCheckpoint(path, "arch-X", {{"a", into}}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("arch-X; method")));
}

TEST(CheckpointTest, RoundTripAndEveryClassOfBadInput) {
  const std::string path = TempPath("ckpt.pt");
  torch::Tensor a = torch::arange(6, kDouble).view({2, 3});
  ISOAE_ASSERT_OK(SaveCheckpoint(path, 42, "cfg-A", {{"a", a}}));
  torch::Tensor into = torch::zeros({2, 3}, kDouble);
  ISOAE_ASSERT_OK_AND_ASSIGN(int64_t step, LoadCheckpoint(path, "cfg-A", {{"a", into}}));
  EXPECT_EQ(step, 42);
  EXPECT_TRUE(torch::equal(into, a));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

  EXPECT_THAT(LoadCheckpoint(TempPath("missing.pt"), "cfg-A", {{"a", into}}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("missing.pt")));
  EXPECT_THAT(LoadCheckpoint(path, "cfg-B", {{"a", into}}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("'cfg-A'"), HasSubstr("'cfg-B'"))));
  torch::Tensor wrong = torch::zeros({3, 2}, kDouble);
  EXPECT_THAT(LoadCheckpoint(path, "cfg-A", {{"a", wrong}}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("[2,3]"), HasSubstr("[3,2]"))));
  EXPECT_THAT(LoadCheckpoint(path, "cfg-A", {{"b", into}}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no tensor 'b'")));
  const std::string corrupt = TempPath("corrupt.pt");
  std::ofstream(corrupt) << "this is not a checkpoint";
  EXPECT_THAT(LoadCheckpoint(corrupt, "cfg-A", {{"a", into}}),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("corrupt.pt")));
  // Truncating a real checkpoint is data loss too.
  const std::string truncated = TempPath("truncated.pt");
  std::filesystem::copy_file(path, truncated, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::resize_file(truncated, std::filesystem::file_size(path) / 2);
  EXPECT_THAT(LoadCheckpoint(truncated, "cfg-A", {{"a", into}}),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("truncated.pt")));
  // A NaN model never overwrites the last good checkpoint.
  torch::Tensor nan = a.clone();
  nan[0][0] = std::nan("");
  EXPECT_THAT(SaveCheckpoint(path, 43, "cfg-A", {{"a", nan}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("NaN")));
  ISOAE_ASSERT_OK_AND_ASSIGN(step, LoadCheckpoint(path, "cfg-A", {{"a", into}}));
  EXPECT_EQ(step, 42);
}

// The format's own checks: a flipped byte fails the CRC, a LibTorch archive
// is named as such, a declared size beyond the file is refused before any
// allocation, and a failed load leaves every tensor of `into` as it was.
TEST(CheckpointTest, CorruptionIsDetectedAndLoadsAreAllOrNothing) {
  const std::string path = TempPath("fmt.pt");
  torch::Tensor a = torch::arange(6, kDouble).view({2, 3});
  torch::Tensor i = torch::tensor({int64_t{5}, int64_t{-7}});
  ISOAE_ASSERT_OK(SaveCheckpoint(path, 3, "cfg", {{"a", a}, {"i", i}}));
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto write = [](const std::string& p, const std::string& b) {
    std::ofstream(p, std::ios::binary) << b;
  };
  torch::Tensor into_a = torch::zeros({2, 3}, kDouble);
  torch::Tensor into_i = torch::zeros({2}, torch::kLong);
  ISOAE_ASSERT_OK(LoadCheckpoint(path, "cfg", {{"a", into_a}, {"i", into_i}}).status());
  EXPECT_TRUE(torch::equal(into_i, i));

  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x10;
  write(TempPath("flipped.pt"), flipped);
  EXPECT_THAT(LoadCheckpoint(TempPath("flipped.pt"), "cfg", {{"a", into_a}}),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("CRC-32 mismatch")));

  write(TempPath("zip.pt"), std::string("PK\x03\x04", 4) + std::string(100, 'x'));
  EXPECT_THAT(ReadCheckpointFingerprint(TempPath("zip.pt")),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("is a LibTorch archive")));

  // Patch the first dimension of "a" to 2^40 and fix the CRC: the size check,
  // not the CRC, must refuse it.
  std::string huge = bytes;
  const size_t name_at = huge.find("a", 8 + 8 + 8 + 4 + 3 + 4);
  ASSERT_NE(name_at, std::string::npos);
  const int64_t big = int64_t{1} << 40;
  std::memcpy(&huge[name_at + 1 + 2], &big, 8);
  const uint32_t crc = static_cast<uint32_t>(
      crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(huge.data() + 16),
            static_cast<uInt>(huge.size() - 20)));
  std::memcpy(&huge[huge.size() - 4], &crc, 4);
  write(TempPath("huge.pt"), huge);
  EXPECT_THAT(LoadCheckpoint(TempPath("huge.pt"), "cfg", {{"a", into_a}}),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("tensor 'a'"), HasSubstr("more than the file holds"))));

  // "i" of the wrong shape: "a" is not touched either.
  torch::Tensor fresh_a = torch::full({2, 3}, -1.0, kDouble);
  torch::Tensor wrong_i = torch::zeros({3}, torch::kLong);
  EXPECT_THAT(LoadCheckpoint(path, "cfg", {{"a", fresh_a}, {"i", wrong_i}}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("tensor 'i'")));
  EXPECT_TRUE(torch::all(fresh_a == -1.0).item<bool>());
}

}  // namespace
}  // namespace isoae
