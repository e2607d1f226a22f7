#include "metrics/retrieval.h"

#include "core/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace isoae {
namespace {

using ::isoae::testing::StatusIs;
using ::testing::DoubleEq;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(RetrievalTest, PrecisionAtKOnAHandBuiltRanking) {
  const std::vector<bool> relevant = {true, false, true, false, true};
  const std::vector<int64_t> ranking = {2, 1, 4, 0, 3};
  ISOAE_ASSERT_OK_AND_ASSIGN(double p1, PrecisionAtK(ranking, relevant, 1));
  ISOAE_ASSERT_OK_AND_ASSIGN(double p2, PrecisionAtK(ranking, relevant, 2));
  ISOAE_ASSERT_OK_AND_ASSIGN(double p4, PrecisionAtK(ranking, relevant, 4));
  EXPECT_EQ(p1, 1.0);
  EXPECT_EQ(p2, 0.5);
  EXPECT_EQ(p4, 0.75);
  EXPECT_THAT(PrecisionAtK(ranking, relevant, 6),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("K = 6 but the ranking has 5 items")));
}

TEST(RetrievalTest, SummedCosineRanking) {
  Eigen::MatrixXd q(2, 2);
  q << 1, 0,    // both queries point right-ish
      10, 10;
  Eigen::MatrixXd c(4, 2);
  c << 0, 1,     // cos: 0 + 0.707
      5, 0,      // 1 + 0.707  (scale does not matter)
      1, 1,      // 0.707 + 1
      -1, 0;     // -1 - 0.707
  ISOAE_ASSERT_OK_AND_ASSIGN(auto r, RankBySummedCosine(q, c));
  // Items 1 and 2 tie at 1.707: the lower index first.
  EXPECT_THAT(r, ElementsAre(1, 2, 0, 3));
}

TEST(RetrievalTest, SingleAndDoubleAttributeModes) {
  // Codes on a circle: attribute 0 = "right half", 1 = "upper half",
  // 2 = everything. Retrieval in the code space is perfect for 0 and 1.
  const int n = 40;
  Eigen::MatrixXd codes(n, 2);
  AttributeMatrix attrs(n, 3);
  for (int i = 0; i < n; ++i) {
    const double t = 2 * M_PI * (i + 0.5) / n;
    codes.row(i) << std::cos(t), std::sin(t);
    attrs(i, 0) = std::cos(t) > 0;
    attrs(i, 1) = std::sin(t) > 0;
    attrs(i, 2) = 1;
  }
  const std::vector<std::string> names = {"right", "up", "all"};
  RetrievalOptions single;
  single.ks = {1, 5, 10};
  ISOAE_ASSERT_OK_AND_ASSIGN(RetrievalResult s,
                             AttributeRetrieval(codes, attrs, codes, attrs, names, single));
  ASSERT_EQ(s.queries.size(), 3u);
  EXPECT_THAT(s.queries[0].precision, ElementsAre(1.0, 1.0, 1.0));
  EXPECT_EQ(s.queries[0].num_queries, 20);
  EXPECT_THAT(s.mean_precision, ElementsAre(DoubleEq(1.0), DoubleEq(1.0), DoubleEq(1.0)));
  // Double mode: right&up (25 % of the test set) and the pairs with "all"
  // (50 %, not < 50 %): only right & up passes the filter.
  RetrievalOptions pairs = single;
  pairs.mode = RetrievalMode::kDouble;
  ISOAE_ASSERT_OK_AND_ASSIGN(RetrievalResult d,
                             AttributeRetrieval(codes, attrs, codes, attrs, names, pairs));
  ASSERT_EQ(d.queries.size(), 1u);
  EXPECT_EQ(d.queries[0].name, "right & up");
  EXPECT_EQ(d.skipped, 2);
  EXPECT_THAT(d.queries[0].precision, ElementsAre(1.0, 1.0, 1.0));
  // Scrambled codes retrieve worse.
  Eigen::MatrixXd scrambled = codes;
  for (int i = 0; i < n; ++i) scrambled.row(i) = codes.row((i * 17) % n);
  ISOAE_ASSERT_OK_AND_ASSIGN(
      RetrievalResult bad, AttributeRetrieval(scrambled, attrs, scrambled, attrs, names, single));
  EXPECT_LT(bad.queries[0].precision[2], 0.9);
}

// Queries come from the training set (codes and attributes), relevance from
// the test set's attributes: here the two sets carry different attributes
// under the same name, so mixing them up changes every number.
TEST(RetrievalTest, QueriesFromTrainingRelevanceFromTestSet) {
  auto circle = [](int n, double offset) {
    Eigen::MatrixXd c(n, 2);
    for (int i = 0; i < n; ++i) {
      const double t = 2 * M_PI * (i + offset) / n;
      c.row(i) << std::cos(t), std::sin(t);
    }
    return c;
  };
  const Eigen::MatrixXd train = circle(8, 0.5), test = circle(12, 0.3);
  AttributeMatrix train_attr(8, 1), test_attr(12, 1);
  for (int i = 0; i < 8; ++i) train_attr(i, 0) = train(i, 0) > 0;  // right half
  for (int i = 0; i < 12; ++i) test_attr(i, 0) = test(i, 1) > 0;   // upper half
  RetrievalOptions o;
  o.ks = {1, 2, 4, 6};
  ISOAE_ASSERT_OK_AND_ASSIGN(RetrievalResult r,
                             AttributeRetrieval(train, train_attr, test, test_attr, {"a"}, o));
  ASSERT_EQ(r.queries.size(), 1u);
  EXPECT_EQ(r.queries[0].num_queries, 4);
  // The right-half queries sum to +x: test items by decreasing x are
  // 9 deg (up), 339 (down), 39 (up), 309 (down), 69 (up), 279 (down), ...
  // (strictly ordered: no ties).
  EXPECT_THAT(r.queries[0].precision,
              ElementsAre(DoubleEq(1.0), DoubleEq(0.5), DoubleEq(0.5), DoubleEq(0.5)));
}

TEST(RetrievalTest, Errors) {
  Eigen::MatrixXd codes = Eigen::MatrixXd::Ones(3, 2);
  AttributeMatrix attrs = AttributeMatrix::Ones(3, 1);
  RetrievalOptions o;
  o.ks = {5};
  EXPECT_THAT(AttributeRetrieval(codes, attrs, codes, attrs, {"a"}, o),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("K = 5 but the test set has 3")));
  o.ks = {1};
  EXPECT_THAT(AttributeRetrieval(codes, attrs, codes, attrs, {"a", "b"}, o),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("2 attribute names")));
  AttributeMatrix two = AttributeMatrix::Constant(3, 1, 2);
  EXPECT_THAT(AttributeRetrieval(codes, two, codes, attrs, {"a"}, o),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("0/1")));
  Eigen::MatrixXd nan = codes;
  nan(1, 1) = std::nan("");
  EXPECT_THAT(AttributeRetrieval(codes, attrs, nan, attrs, {"a"}, o),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("test codes have NaN")));
  EXPECT_THAT(AttributeRetrieval(codes, attrs, Eigen::MatrixXd::Ones(2, 2), attrs, {"a"}, o),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("disagree")));
}

}  // namespace
}  // namespace isoae
