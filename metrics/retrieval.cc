#include "metrics/retrieval.h"

#include <algorithm>
#include <numeric>

#include "absl/strings/str_cat.h"

namespace isoae {
namespace {

Eigen::MatrixXd RowNormalised(const Eigen::MatrixXd& m) {
  Eigen::MatrixXd out = m;
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    const double n = m.row(i).norm();
    if (n > 0) {
      out.row(i) /= n;
    } else {
      out.row(i).setZero();
    }
  }
  return out;
}

std::vector<int64_t> RankScores(const Eigen::VectorXd& scores, int64_t keep) {
  std::vector<int64_t> idx(scores.size());
  std::iota(idx.begin(), idx.end(), 0);
  const auto better = [&](int64_t a, int64_t b) {
    return scores(a) > scores(b) || (scores(a) == scores(b) && a < b);
  };
  keep = std::min<int64_t>(keep, static_cast<int64_t>(idx.size()));
  std::partial_sort(idx.begin(), idx.begin() + keep, idx.end(), better);
  idx.resize(keep);
  return idx;
}

absl::Status CheckCodes(const Eigen::MatrixXd& codes, const char* what) {
  if (!codes.allFinite()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " have NaN/Inf entries"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<int64_t>> RankBySummedCosine(
    const Eigen::MatrixXd& queries, const Eigen::MatrixXd& candidates) {
  if (queries.cols() != candidates.cols()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "queries have ", queries.cols(), " columns, candidates ", candidates.cols()));
  }
  absl::Status s = CheckCodes(queries, "queries");
  if (s.ok()) s = CheckCodes(candidates, "candidates");
  if (!s.ok()) return s;
  const Eigen::VectorXd q = RowNormalised(queries).colwise().sum().transpose();
  return RankScores(RowNormalised(candidates) * q, candidates.rows());
}

absl::StatusOr<double> PrecisionAtK(absl::Span<const int64_t> ranking,
                                    const std::vector<bool>& relevant, int k) {
  if (k < 1 || k > static_cast<int>(ranking.size())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "K = ", k, " but the ranking has ", ranking.size(), " items"));
  }
  int hits = 0;
  for (int i = 0; i < k; ++i) {
    if (ranking[i] < 0 || ranking[i] >= static_cast<int64_t>(relevant.size())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "ranking entry ", ranking[i], " outside the ", relevant.size(), " items"));
    }
    hits += relevant[ranking[i]] ? 1 : 0;
  }
  return static_cast<double>(hits) / k;
}

absl::StatusOr<RetrievalResult> AttributeRetrieval(
    const Eigen::MatrixXd& train_codes, const AttributeMatrix& train_attributes,
    const Eigen::MatrixXd& test_codes, const AttributeMatrix& test_attributes,
    const std::vector<std::string>& attribute_names,
    const RetrievalOptions& options) {
  const int64_t a = static_cast<int64_t>(attribute_names.size());
  if (train_codes.rows() != train_attributes.rows() ||
      test_codes.rows() != test_attributes.rows()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "codes and attributes disagree: train ", train_codes.rows(), " vs ",
        train_attributes.rows(), ", test ", test_codes.rows(), " vs ",
        test_attributes.rows(), " rows"));
  }
  if (train_codes.cols() != test_codes.cols()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "train codes have ", train_codes.cols(), " dimensions, test codes ",
        test_codes.cols()));
  }
  if (train_attributes.cols() != a || test_attributes.cols() != a) {
    return absl::InvalidArgumentError(absl::StrCat(
        a, " attribute names for ", train_attributes.cols(), " (train) and ",
        test_attributes.cols(), " (test) attribute columns"));
  }
  if ((train_attributes.array() > 1).any() || (test_attributes.array() > 1).any()) {
    return absl::InvalidArgumentError("attribute values must be 0/1");
  }
  absl::Status s = CheckCodes(train_codes, "train codes");
  if (s.ok()) s = CheckCodes(test_codes, "test codes");
  if (!s.ok()) return s;
  if (options.ks.empty()) {
    return absl::InvalidArgumentError("no K given for P@K");
  }
  int max_k = 0;
  for (int k : options.ks) {
    if (k < 1 || k > test_codes.rows()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "K = ", k, " but the test set has ", test_codes.rows(), " items"));
    }
    max_k = std::max(max_k, k);
  }
  if (!(options.min_fraction >= 0 && options.max_fraction <= 1 &&
        options.min_fraction < options.max_fraction)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "pair filter fractions (", options.min_fraction, ", ",
        options.max_fraction, ") must satisfy 0 <= min < max <= 1"));
  }

  const Eigen::MatrixXd train_n = RowNormalised(train_codes);
  const Eigen::MatrixXd test_n = RowNormalised(test_codes);
  const int64_t n_test = test_codes.rows();
  std::vector<std::vector<int64_t>> groups;  // attribute sets to query
  if (options.mode == RetrievalMode::kSingle) {
    for (int64_t i = 0; i < a; ++i) groups.push_back({i});
  } else {
    for (int64_t i = 0; i < a; ++i) {
      for (int64_t j = i + 1; j < a; ++j) {
        const int64_t both =
            (test_attributes.col(i).array() * test_attributes.col(j).array())
                .cast<int64_t>()
                .sum();
        const double share = static_cast<double>(both) / n_test;
        if (share > options.min_fraction && share < options.max_fraction) {
          groups.push_back({i, j});
        }
      }
    }
  }
  RetrievalResult r;
  r.ks = options.ks;
  r.mean_precision.assign(options.ks.size(), 0.0);
  r.skipped = options.mode == RetrievalMode::kSingle
                  ? 0
                  : a * (a - 1) / 2 - static_cast<int64_t>(groups.size());
  const auto has_all = [](const AttributeMatrix& m, int64_t row,
                          const std::vector<int64_t>& g) {
    for (int64_t c : g) {
      if (m(row, c) == 0) return false;
    }
    return true;
  };
  for (const std::vector<int64_t>& g : groups) {
    Eigen::VectorXd q = Eigen::VectorXd::Zero(train_codes.cols());
    int64_t count = 0;
    for (int64_t t = 0; t < train_codes.rows(); ++t) {
      if (has_all(train_attributes, t, g)) {
        q += train_n.row(t).transpose();
        ++count;
      }
    }
    if (count == 0) {
      ++r.skipped;
      continue;
    }
    const std::vector<int64_t> top = RankScores(test_n * q, max_k);
    RetrievalQuery rq;
    rq.name = attribute_names[g[0]];
    if (g.size() == 2) rq.name += " & " + attribute_names[g[1]];
    rq.num_queries = count;
    for (int k : options.ks) {
      int hits = 0;
      for (int i = 0; i < k; ++i) hits += has_all(test_attributes, top[i], g) ? 1 : 0;
      rq.precision.push_back(static_cast<double>(hits) / k);
    }
    r.queries.push_back(rq);
  }
  if (!r.queries.empty()) {
    for (const RetrievalQuery& rq : r.queries) {
      for (size_t k = 0; k < rq.precision.size(); ++k) r.mean_precision[k] += rq.precision[k];
    }
    for (double& p : r.mean_precision) p /= static_cast<double>(r.queries.size());
  }
  return r;
}

}  // namespace isoae
