#include "datasets/coil20.h"

#include "absl/strings/str_cat.h"
#include "core/status_matchers.h"
#include "datasets/image_io.h"
#include "datasets/testing/fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A flat 8x8 gray image of value 10 * object + pose.
void WriteView(const std::string& dir, int obj, int pose, int size = 8) {
  Image img{size, size, 1,
            std::vector<uint8_t>(size * size, static_cast<uint8_t>(10 * obj + pose))};
  ASSERT_TRUE(WritePng(absl::StrCat(dir, "/obj", obj, "__", pose, ".png"), img).ok());
}

TEST(Coil20Test, OrdersByObjectThenPose) {
  const std::string root = testing::FreshDir("coil");
  const std::string dir = root + "/coil-20-proc";
  testing::MakeDirs(dir);
  for (int obj : {2, 1}) {
    for (int pose : {10, 0, 71}) WriteView(dir, obj, pose);
  }
  testing::WriteBytes(dir + "/README.txt", "not an image");
  std::vector<int> poses;
  ISOAE_ASSERT_OK_AND_ASSIGN(Dataset d, LoadCoil20(root, 8, &poses));
  EXPECT_EQ(d.size(), 6);
  EXPECT_THAT(d.item_shape, ElementsAre(1, 8, 8));
  EXPECT_THAT(d.labels, ElementsAre(0, 0, 0, 1, 1, 1));
  EXPECT_THAT(poses, ElementsAre(0, 10, 71, 0, 10, 71));
  EXPECT_EQ(d.value(4, 63), 30.0f);  // object 2, pose 10
  EXPECT_EQ(d.class_names[19], "obj20");
  ISOAE_EXPECT_OK(ValidateDataset(d));
}

TEST(Coil20Test, Errors) {
  const std::string dir = testing::FreshDir("coil_bad");
  EXPECT_THAT(LoadCoil20(dir, 8), StatusIs(absl::StatusCode::kNotFound,
                                           AllOf(HasSubstr("no obj<k>__<i>.png"),
                                                 HasSubstr("coil-20"))));
  EXPECT_THAT(LoadCoil20(dir + "/absent", 8),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("absent not found")));
  WriteView(dir, 1, 0);
  WriteView(dir, 1, 1, /*size=*/6);
  EXPECT_THAT(LoadCoil20(dir, 8),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("obj1__1.png"), HasSubstr("wrong image size 6x6"))));
  WriteView(dir, 1, 1);
  testing::WriteBytes(dir + "/obj1__2.png", "\x89PNG\r\n\x1a\n garbage");
  EXPECT_THAT(LoadCoil20(dir, 8),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("obj1__2.png"), HasSubstr("unreadable image"))));
  std::remove((dir + "/obj1__2.png").c_str());
  WriteView(dir, 1, 2);
  testing::WriteBytes(dir + "/obj1__02.png", "dup");
  EXPECT_THAT(LoadCoil20(dir, 8), StatusIs(absl::StatusCode::kDataLoss,
                                           HasSubstr("pose 2 appears twice")));
}

}  // namespace
}  // namespace isoae
