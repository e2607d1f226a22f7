#include "datasets/file_io.h"

#include "core/status_matchers.h"
#include "datasets/testing/fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::testing::AllOf;
using ::isoae::testing::StatusIs;
using ::testing::HasSubstr;

std::string Payload() {
  std::string s;
  for (int i = 0; i < 100000; ++i) s.push_back(static_cast<char>((i * 7) % 251));
  return s;
}

TEST(FileIoTest, ReadsPlainAndGzipIdentically) {
  const std::string dir = testing::FreshDir("file_io");
  testing::WriteBytes(dir + "/plain.bin", Payload());
  testing::WriteBytes(dir + "/packed.bin.gz", testing::Gzip(Payload()));
  ISOAE_ASSERT_OK_AND_ASSIGN(std::string a, ReadFileBytes(dir + "/plain.bin", "x"));
  ISOAE_ASSERT_OK_AND_ASSIGN(std::string b,
                             ReadFileBytes(dir + "/packed.bin.gz", "x"));
  EXPECT_EQ(a, Payload());
  EXPECT_EQ(b, Payload());
}

TEST(FileIoTest, ConcatenatedGzipMembers) {
  const std::string both = testing::Gzip("hello ") + testing::Gzip("world");
  ISOAE_ASSERT_OK_AND_ASSIGN(std::string s, GunzipBytes(both, "two.gz"));
  EXPECT_EQ(s, "hello world");
}

TEST(FileIoTest, TruncatedAndCorruptGzip) {
  std::string gz = testing::Gzip(Payload());
  EXPECT_THAT(GunzipBytes(gz.substr(0, gz.size() / 2), "half.gz"),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("half.gz"), HasSubstr("truncated"))));
  gz[20] ^= 0x55;
  gz[21] ^= 0x55;
  EXPECT_THAT(GunzipBytes(gz, "bad.gz"),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("bad.gz"), HasSubstr("corrupt"))));
}

TEST(FileIoTest, MissingFileNamesPathAndProvider) {
  EXPECT_THAT(ReadFileBytes("/nonexistent/f.bin", "the F package"),
              StatusIs(absl::StatusCode::kNotFound,
                       AllOf(HasSubstr("/nonexistent/f.bin"),
                             HasSubstr("the F package"))));
  const std::string dir = testing::FreshDir("file_io_dir");
  EXPECT_THAT(ReadFileBytes(dir, "x"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("is a directory")));
  EXPECT_THAT(FindFirstExisting(dir, {"a", "b"}, "prov"),
              StatusIs(absl::StatusCode::kNotFound,
                       AllOf(HasSubstr("none of a, b"), HasSubstr("prov"))));
  EXPECT_THAT(FindFirstExisting(dir + "/nope", {"a"}, "prov"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("/nope not found")));
}

}  // namespace
}  // namespace isoae
