#include "core/method.h"

#include "third_party/torch_light.h"

#include "core/autoencoder.h"
#include "core/networks.h"
#include "core/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

// A regulariser for this test only: w * mean(codes^2), and an alias using it.
class CodeNorm final : public Regularizer {
 public:
  explicit CodeNorm(double p) : p_(p) {}
  at::Tensor Loss(Model&, const ForwardPass& pass) override {
    return pass.codes.abs().pow(p_).mean();
  }

 private:
  double p_;
};
ISOAE_REGISTER_REGULARIZER("test_code_norm", "mean |z|^p (option test_p)", 0.5,
                           [](MethodOptions& o)
                               -> absl::StatusOr<std::unique_ptr<Regularizer>> {
                             absl::StatusOr<double> p = o.GetDouble("test_p", 2.0);
                             if (!p.ok()) return p.status();
                             return std::make_unique<CodeNorm>(*p);
                           });
ISOAE_REGISTER_METHOD_ALIAS("test_alias", "ae+test_code_norm:3", "test alias");

const auto kDouble = torch::TensorOptions().dtype(torch::kFloat64);

double Term(const LossTerms& t, const std::string& name) {
  for (const auto& [n, v] : t.terms) {
    if (n == name) return v.item<double>();
  }
  ADD_FAILURE() << "no term " << name;
  return 0;
}

TEST(MethodTest, TotalIsBasePlusWeightedRegularisers) {
  torch::manual_seed(1);
  Autoencoder ae = BuildAutoencoder(SymmetricMlp(5, 2, 8, 1), kDouble).value();
  const torch::Tensor x = torch::rand({10, 5}, kDouble);
  Method m = BuildMethod("ae+test_code_norm:0.25").value();
  LossTerms t = m.Loss(ae, x);
  const torch::Tensor z = ae.encoder.Forward(x);
  EXPECT_NEAR(Term(t, "test_code_norm"), z.pow(2).mean().item<double>(), 1e-12);
  EXPECT_NEAR(t.total.item<double>(), Term(t, "L_rec") + 0.25 * Term(t, "test_code_norm"),
              1e-12);
  EXPECT_EQ(m.Describe(), "ae+test_code_norm:0.25");
}

TEST(MethodTest, DefaultWeightsAliasesAndAliasWeights) {
  EXPECT_EQ(BuildMethod("ae+test_code_norm").value().Describe(), "ae+test_code_norm:0.5");
  EXPECT_EQ(BuildMethod("test_alias").value().Describe(), "ae+test_code_norm:3");
  EXPECT_EQ(BuildMethod("test_alias:7").value().Describe(), "ae+test_code_norm:7");
  EXPECT_EQ(BuildMethod(" ae + test_code_norm : 2 ").value().Describe(),
            "ae+test_code_norm:2");
  EXPECT_EQ(BuildMethod("vae").value().Kind(), ModelKind::kVae);
  EXPECT_EQ(BuildMethod("ae").value().Kind(), ModelKind::kAutoencoder);
}

TEST(MethodTest, OptionsReachTheirEntries) {
  torch::manual_seed(2);
  Autoencoder ae = BuildAutoencoder(SymmetricMlp(5, 2, 8, 1), kDouble).value();
  const torch::Tensor x = torch::rand({10, 5}, kDouble);
  Method m = BuildMethod("ae+test_code_norm:1", *MethodOptions::Parse("test_p=1")).value();
  EXPECT_NEAR(Term(m.Loss(ae, x), "test_code_norm"),
              ae.encoder.Forward(x).abs().mean().item<double>(), 1e-12);
}

TEST(MethodTest, BadSpecsAreRejectedNamingThePiece) {
  EXPECT_THAT(BuildMethod("nope").status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("\"nope\""), HasSubstr("ae"), HasSubstr("vae"))));
  EXPECT_THAT(BuildMethod("ae+nope").status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("unknown regulariser \"nope\""),
                             HasSubstr("test_code_norm"))));
  for (const char* w : {"abc", "-1", "nan", "inf", ""}) {
    EXPECT_THAT(BuildMethod(std::string("ae+test_code_norm:") + w).status(),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         AllOf(HasSubstr("weight of \"test_code_norm\""),
                               HasSubstr("finite number >= 0"))))
        << w;
  }
  EXPECT_THAT(BuildMethod("ae:2").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("takes no weight")));
  EXPECT_THAT(BuildMethod("ae+test_code_norm+test_code_norm").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("appears twice")));
  EXPECT_THAT(BuildMethod("ae+").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("has no name")));
  EXPECT_THAT(BuildMethod("ae+a:1:2").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("name:weight")));
}

TEST(MethodTest, BadOrUnusedOptionsAreRejected) {
  EXPECT_THAT(MethodOptions::Parse("test_p").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("key=value")));
  EXPECT_THAT(MethodOptions::Parse("a=1,a=2").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("given twice")));
  EXPECT_THAT(BuildMethod("ae", *MethodOptions::Parse("test_p=3")).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("test_p"), HasSubstr("not read"))));
  EXPECT_THAT(BuildMethod("ae+test_code_norm", *MethodOptions::Parse("test_p=x")).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("test_code_norm"), HasSubstr("test_p=x"))));
  // Shared option sets: read by one of several methods is enough.
  EXPECT_TRUE(BuildMethods({"ae", "ae+test_code_norm"}, *MethodOptions::Parse("test_p=1")).ok());
  EXPECT_FALSE(BuildMethods({"ae", "vae"}, *MethodOptions::Parse("test_p=1")).ok());
  // One method of such a list alone ignores what it does not read, but
  // still refuses a bad value of what it does.
  EXPECT_TRUE(BuildMethodOfList("ae", *MethodOptions::Parse("test_p=1")).ok());
  EXPECT_THAT(BuildMethodOfList("ae+test_code_norm", *MethodOptions::Parse("test_p=x")).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("test_p=x")));
}

TEST(MethodOptionsTest, BooleansTakeOneZeroTrueFalse) {
  MethodOptions o = *MethodOptions::Parse("a=1,b=false,c=yes,d=2");
  EXPECT_EQ(o.GetBool("a", false).value(), true);
  EXPECT_EQ(o.GetBool("b", true).value(), false);
  EXPECT_EQ(o.GetBool("c", false).value(), true);
  EXPECT_EQ(o.GetBool("missing", true).value(), true);
  EXPECT_THAT(o.GetBool("d", true),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("d=2: expected 1 or 0")));
  EXPECT_TRUE(o.Unread().empty());
}

}  // namespace
}  // namespace isoae

namespace isoae {
namespace {

TEST(MethodOptionsMergeTest, OverrideKeysWinAndBadTextIsNamed) {
  absl::StatusOr<std::string> m = MethodOptions::Merge("eta=0.2,estimator=hutchinson",
                                                       "estimator=exact,fm_beta=1");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(*m, "estimator=exact,eta=0.2,fm_beta=1");
  EXPECT_EQ(MethodOptions::Merge("", "").value(), "");
  absl::StatusOr<std::string> bad = MethodOptions::Merge("eta=0.2", "oops");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("\"oops\""), std::string::npos);
}

}  // namespace
}  // namespace isoae
