// Unsupervised attribute retrieval, IRVAE section 5.2 (CelebA, Table 1/4):
// the query is the set of all *training* items that have the query
// attribute(s); every *test* item is scored by the summed cosine similarity
// to the queries, sum_q cos(q, t) = t/|t| . sum_q q/|q|; the top K test items
// are retrieved, and P@K is the fraction of them that have all the query
// attributes. K = 1, 5, 10, 20.
//   single (SAR): one query per attribute, averaged over the attributes that
//                 have at least one training item (IRVAE: all 40);
//   double (DAR): one query per attribute pair whose test items (having
//                 both) are more than 1 % and less than 50 % of the test set
//                 (IRVAE: 487 of the 780 pairs).
// Ties in score are broken by the lower test index. Codes of zero norm score
// 0 (their cosine is undefined).
//
// Errors (kInvalidArgument naming the argument): code/attribute row counts or
// widths that disagree, NaN/Inf codes, attribute values other than 0/1, K < 1
// or K larger than the test set, fractions outside [0, 1].
#ifndef ISOAE_METRICS_RETRIEVAL_H_
#define ISOAE_METRICS_RETRIEVAL_H_

#include <Eigen/Dense>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace isoae {

// [n, A] 0/1 attributes, one row per item.
using AttributeMatrix =
    Eigen::Matrix<uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Candidate indices ordered by decreasing sum_q cos(q, c) (ties: lower index).
absl::StatusOr<std::vector<int64_t>> RankBySummedCosine(
    const Eigen::MatrixXd& queries, const Eigen::MatrixXd& candidates);

// Fraction of ranking[0..k) for which relevant[index] is true.
absl::StatusOr<double> PrecisionAtK(absl::Span<const int64_t> ranking,
                                    const std::vector<bool>& relevant, int k);

enum class RetrievalMode { kSingle, kDouble };

struct RetrievalOptions {
  RetrievalMode mode = RetrievalMode::kSingle;
  std::vector<int> ks = {1, 5, 10, 20};
  double min_fraction = 0.01;  // double mode: test share must be > this
  double max_fraction = 0.5;   //              and < this
};

struct RetrievalQuery {
  std::string name;             // "Smiling" or "Smiling & Male"
  int64_t num_queries = 0;      // training items used as queries
  std::vector<double> precision;  // per K
};

struct RetrievalResult {
  std::vector<int> ks;
  std::vector<double> mean_precision;  // per K, over `queries`
  std::vector<RetrievalQuery> queries;
  int64_t skipped = 0;  // attributes / pairs without queries or filtered out
};

absl::StatusOr<RetrievalResult> AttributeRetrieval(
    const Eigen::MatrixXd& train_codes, const AttributeMatrix& train_attributes,
    const Eigen::MatrixXd& test_codes, const AttributeMatrix& test_attributes,
    const std::vector<std::string>& attribute_names,
    const RetrievalOptions& options = {});

}  // namespace isoae

#endif  // ISOAE_METRICS_RETRIEVAL_H_
