#include "datasets/cmu_mocap.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/status_matchers.h"
#include "datasets/testing/fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using ::isoae::testing::CmuAmc;
using ::isoae::testing::CmuBones;

std::string Asf(const std::string& unit = "deg") { return ::isoae::testing::CmuAsf(unit); }

// Frame f: every value of bone b (b-th bone with dofs, root = 0) is
// f + b + k / 10 for its k-th degree of freedom.
std::string Amc(int frames) {
  return CmuAmc(frames, [](int f, int b, int k) { return f + b + k / 10.0; });
}

TEST(CmuMocapTest, StandardSkeletonGivesFiftyDimensions) {
  ISOAE_ASSERT_OK_AND_ASSIGN(AsfSkeleton sk, ParseAsf(Asf(), "02.asf"));
  EXPECT_EQ(sk.bones.front().name, "root");
  EXPECT_TRUE(sk.degrees);
  int all = 0;
  for (const AsfBone& b : sk.bones) all += b.dofs.size();
  EXPECT_EQ(all, 62);
  const std::vector<std::string> dims = PoseDimensionNames(sk, MocapOptions{});
  EXPECT_EQ(dims.size(), 50u);
  EXPECT_EQ(dims.front(), "lfemur.rx");
  EXPECT_EQ(dims.back(), "rthumb.rz");
  for (const std::string& d : dims) {
    EXPECT_THAT(d, ::testing::Not(AllOf(HasSubstr("clavicle"))));
    EXPECT_THAT(d, ::testing::Not(HasSubstr("fingers")));
    EXPECT_THAT(d, ::testing::Not(HasSubstr("root")));
  }
}

TEST(CmuMocapTest, AmcValuesAreScaledAndOrdered) {
  ISOAE_ASSERT_OK_AND_ASSIGN(AsfSkeleton sk, ParseAsf(Asf(), "02.asf"));
  int64_t frames = 0;
  ISOAE_ASSERT_OK_AND_ASSIGN(std::vector<float> v,
                             ParseAmc(Amc(3), "02_01.amc", sk, MocapOptions{}, &frames));
  ASSERT_EQ(frames, 3);
  ASSERT_EQ(v.size(), 150u);
  // Frame 2, lfemur (bone 1 with dofs) ry: (2 + 1 + 0.1) / 180.
  EXPECT_FLOAT_EQ(v[50 + 1], 3.1f / 180.0f);
  // Frame 3, last dimension rthumb.rz (the 28th bone with dofs):
  // (3 + 28 + 0.1) / 180.
  EXPECT_FLOAT_EQ(v[149], 31.1f / 180.0f);
  MocapOptions every_other;
  every_other.frame_step = 2;
  ISOAE_ASSERT_OK_AND_ASSIGN(std::vector<float> w,
                             ParseAmc(Amc(3), "02_01.amc", sk, every_other, &frames));
  EXPECT_EQ(frames, 2);  // frames 1 and 3
  EXPECT_FLOAT_EQ(w[50], v[100]);
  // Radian skeletons divide by pi.
  ISOAE_ASSERT_OK_AND_ASSIGN(AsfSkeleton rad, ParseAsf(Asf("rad"), "r.asf"));
  ISOAE_ASSERT_OK_AND_ASSIGN(std::vector<float> r,
                             ParseAmc(Amc(1), "r.amc", rad, MocapOptions{}, &frames));
  EXPECT_NEAR(r[0], 2.0 / M_PI, 1e-6);
}

TEST(CmuMocapTest, AmcErrorsNameFileAndLine) {
  ISOAE_ASSERT_OK_AND_ASSIGN(AsfSkeleton sk, ParseAsf(Asf(), "02.asf"));
  int64_t frames = 0;
  std::string amc = Amc(2);
  // Line 4 is "1", line 5 root, line 6 lfemur.
  std::string bad = amc;
  bad.replace(bad.find("lfemur 2"), 8, "lfemur x2");
  EXPECT_THAT(ParseAmc(bad, "a.amc", sk, MocapOptions{}, &frames),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("a.amc line 6"),
                             HasSubstr("non-numeric value 'x2' for bone 'lfemur'"))));
  bad = amc;
  bad.replace(bad.find("ltibia"), 6, "lknee");
  EXPECT_THAT(ParseAmc(bad, "a.amc", sk, MocapOptions{}, &frames),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("line 7"), HasSubstr("unknown bone 'lknee'"))));
  bad = amc;
  bad.replace(bad.find("ltibia 3"), 8, "ltibia 3 4");
  EXPECT_THAT(ParseAmc(bad, "a.amc", sk, MocapOptions{}, &frames),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("bone 'ltibia' has 2 values, the skeleton gives it 1")));
  bad = amc;
  const size_t at = bad.find("ltoes");
  bad.erase(at, bad.find('\n', at) + 1 - at);
  EXPECT_THAT(ParseAmc(bad, "a.amc", sk, MocapOptions{}, &frames),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("line 4"), HasSubstr("frame 1 lacks bone 'ltoes'"))));
  EXPECT_THAT(ParseAmc(":DEGREES\n", "e.amc", sk, MocapOptions{}, &frames),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("e.amc: no frames")));
}

TEST(CmuMocapTest, AsfErrors) {
  EXPECT_THAT(ParseAsf(":bonedata\n begin\n name a\n end\n", "x.asf"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("no ':root'")));
  std::string bad = Asf();
  bad.replace(bad.find("dof rx ry rz"), 12, "dof rx qq rz");
  EXPECT_THAT(ParseAsf(bad, "y.asf"),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("y.asf line"),
                             HasSubstr("unknown degree of freedom 'qq'"))));
  EXPECT_THAT(ParseAsf(Asf("grad"), "z.asf"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("unknown angle unit")));
}

TEST(CmuMocapTest, TrialListAndLoad) {
  const std::string dir = testing::FreshDir("cmu");
  testing::WriteBytes(dir + "/subjects/02/02.asf", Asf());
  testing::WriteBytes(dir + "/subjects/02/02_01.amc", Amc(3));
  testing::WriteBytes(dir + "/subjects/02/02_05.amc", Amc(2));
  testing::WriteBytes(dir + "/other/skel.asf", Asf());
  testing::WriteBytes(dir + "/other/punch.amc", Amc(4));
  testing::WriteBytes(dir + "/trials.txt",
                      "# class amc [asf]\n"
                      "walking subjects/02/02_01.amc\n"
                      "punching other/punch.amc other/skel.asf  # explicit skeleton\n"
                      "walking subjects/02/02_05.amc\n");
  ISOAE_ASSERT_OK_AND_ASSIGN(Dataset d, LoadCmuMocap(dir, dir + "/trials.txt"));
  EXPECT_EQ(d.size(), 9);
  EXPECT_THAT(d.item_shape, ElementsAre(50));
  EXPECT_EQ(d.storage, Storage::kFloat32);
  EXPECT_THAT(d.class_names, ElementsAre("walking", "punching"));
  EXPECT_THAT(d.labels, ElementsAre(0, 0, 0, 1, 1, 1, 1, 0, 0));
  ISOAE_EXPECT_OK(ValidateDataset(d));

  testing::WriteBytes(dir + "/bad_list.txt", "walking\n");
  EXPECT_THAT(LoadCmuMocap(dir, dir + "/bad_list.txt"),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("bad_list.txt line 1"), HasSubstr("found 1 fields"))));
  testing::WriteBytes(dir + "/missing.txt", "jogging subjects/09/09_01.amc\n");
  EXPECT_THAT(LoadCmuMocap(dir, dir + "/missing.txt"),
              StatusIs(absl::StatusCode::kNotFound,
                       AllOf(HasSubstr("subjects/09/09.asf"), HasSubstr("mocap.cs.cmu.edu"))));
  EXPECT_THAT(LoadCmuMocap(dir, dir + "/nolist.txt"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nolist.txt")));
}

}  // namespace
}  // namespace isoae
