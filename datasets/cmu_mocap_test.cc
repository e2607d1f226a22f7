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

// The bones and degrees of freedom of CMU's standard skeleton (e.g. 02.asf).
const std::vector<std::pair<std::string, std::string>>& CmuBones() {
  static const auto* bones = new std::vector<std::pair<std::string, std::string>>{
      {"lhipjoint", ""},        {"lfemur", "rx ry rz"},   {"ltibia", "rx"},
      {"lfoot", "rx rz"},       {"ltoes", "rx"},          {"rhipjoint", ""},
      {"rfemur", "rx ry rz"},   {"rtibia", "rx"},         {"rfoot", "rx rz"},
      {"rtoes", "rx"},          {"lowerback", "rx ry rz"}, {"upperback", "rx ry rz"},
      {"thorax", "rx ry rz"},   {"lowerneck", "rx ry rz"}, {"upperneck", "rx ry rz"},
      {"head", "rx ry rz"},     {"lclavicle", "ry rz"},   {"lhumerus", "rx ry rz"},
      {"lradius", "rx"},        {"lwrist", "ry"},         {"lhand", "rx rz"},
      {"lfingers", "rx"},       {"lthumb", "rx rz"},      {"rclavicle", "ry rz"},
      {"rhumerus", "rx ry rz"}, {"rradius", "rx"},        {"rwrist", "ry"},
      {"rhand", "rx rz"},       {"rfingers", "rx"},       {"rthumb", "rx rz"}};
  return *bones;
}

std::string Asf(const std::string& unit = "deg") {
  std::string s = absl::StrCat(
      "# AST/ASF file\n:version 1.10\n:name VICON\n:units\n  mass 1.0\n"
      "  length 0.45\n  angle ", unit, "\n:documentation\n  test skeleton\n"
      ":root\n   order TX TY TZ RX RY RZ\n   axis XYZ\n   position 0 0 0\n"
      "   orientation 0 0 0\n:bonedata\n");
  int id = 1;
  for (const auto& [name, dofs] : CmuBones()) {
    s += absl::StrCat("  begin\n     id ", id++, "\n     name ", name,
                      "\n     direction 0 1 0\n     length 2.0\n     axis 0 0 0  XYZ\n");
    if (!dofs.empty()) {
      s += absl::StrCat("    dof ", dofs, "\n    limits (-180.0 180.0)\n");
    }
    s += "  end\n";
  }
  return s + ":hierarchy\n  begin\n    root lhipjoint rhipjoint lowerback\n  end\n";
}

// Frame f: every value of bone b (b-th bone with dofs, root = 0) is
// f + b + k / 10 for its k-th degree of freedom.
std::string Amc(int frames) {
  std::string s = "#!OML:ASF 02.asf\n:FULLY-SPECIFIED\n:DEGREES\n";
  for (int f = 1; f <= frames; ++f) {
    s += absl::StrCat(f, "\n");
    s += absl::StrCat("root 1.5 2.5 3.5 ", f, " ", f, " ", f, "\n");
    int b = 0;
    for (const auto& [name, dofs] : CmuBones()) {
      if (dofs.empty()) continue;
      ++b;
      s += name;
      const int n = static_cast<int>(std::count(dofs.begin(), dofs.end(), ' ')) + 1;
      for (int k = 0; k < n; ++k) s += absl::StrCat(" ", f + b + k / 10.0);
      s += "\n";
    }
  }
  return s;
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
