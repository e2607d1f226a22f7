#include "datasets/dataset.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/status_macros.h"

namespace isoae {

int64_t Dataset::item_size() const {
  int64_t n = 1;
  for (int64_t s : item_shape) n *= s;
  return n;
}

int64_t Dataset::size() const {
  const int64_t per = item_size();
  if (per <= 0) return 0;
  const size_t stored =
      storage == Storage::kUint8 ? pixels.size() : features.size();
  return static_cast<int64_t>(stored) / per;
}

float Dataset::value(int64_t i, int64_t j) const {
  const int64_t k = i * item_size() + j;
  return storage == Storage::kUint8 ? static_cast<float>(pixels[k])
                                    : features[k];
}

absl::Status ValidateDataset(const Dataset& d) {
  const std::string who = absl::StrCat("dataset '", d.name, "': ");
  if (d.item_shape.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(who, "empty item_shape"));
  }
  for (int64_t s : d.item_shape) {
    if (s <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(who, "item_shape has a non-positive extent ", s));
    }
  }
  const int64_t per = d.item_size();
  const size_t stored =
      d.storage == Storage::kUint8 ? d.pixels.size() : d.features.size();
  const size_t other =
      d.storage == Storage::kUint8 ? d.features.size() : d.pixels.size();
  if (other != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        who, "both pixels and features are filled; storage says ",
        d.storage == Storage::kUint8 ? "uint8" : "float32"));
  }
  if (stored % per != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(who, stored, " stored values are not a multiple of the ",
                     per, " values per item"));
  }
  const int64_t n = d.size();
  if (!d.labels.empty()) {
    if (static_cast<int64_t>(d.labels.size()) != n) {
      return absl::InvalidArgumentError(absl::StrCat(
          who, d.labels.size(), " labels for ", n, " items"));
    }
    for (size_t i = 0; i < d.labels.size(); ++i) {
      if (d.labels[i] < 0 ||
          d.labels[i] >= static_cast<int32_t>(d.class_names.size())) {
        return absl::InvalidArgumentError(
            absl::StrCat(who, "label ", d.labels[i], " of item ", i,
                         " is outside the ", d.class_names.size(), " classes"));
      }
    }
  }
  if (static_cast<int64_t>(d.attributes.size()) != n * d.num_attributes()) {
    return absl::InvalidArgumentError(
        absl::StrCat(who, d.attributes.size(), " attribute values for ", n,
                     " items x ", d.num_attributes(), " attributes"));
  }
  for (size_t i = 0; i < d.attributes.size(); ++i) {
    if (d.attributes[i] > 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          who, "attribute value ", static_cast<int>(d.attributes[i]),
          " at item ", i / d.attribute_names.size(), " is not 0/1"));
    }
  }
  for (size_t i = 0; i < d.features.size(); ++i) {
    if (!std::isfinite(d.features[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat(who, "non-finite value at item ", i / per,
                       ", element ", i % per));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Dataset> Subset(const Dataset& d,
                               absl::Span<const int64_t> indices,
                               const std::string& name) {
  const int64_t n = d.size();
  const int64_t per = d.item_size();
  const int64_t a = d.num_attributes();
  for (int64_t i : indices) {
    if (i < 0 || i >= n) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Subset of '", d.name, "': index ", i, " outside [0, ", n, ")"));
    }
  }
  Dataset out;
  out.name = name;
  out.item_shape = d.item_shape;
  out.storage = d.storage;
  out.class_names = d.class_names;
  out.attribute_names = d.attribute_names;
  const size_t m = indices.size();
  if (d.storage == Storage::kUint8) {
    out.pixels.resize(m * per);
    for (size_t k = 0; k < m; ++k) {
      std::copy_n(d.pixels.begin() + indices[k] * per, per,
                  out.pixels.begin() + k * per);
    }
  } else {
    out.features.resize(m * per);
    for (size_t k = 0; k < m; ++k) {
      std::copy_n(d.features.begin() + indices[k] * per, per,
                  out.features.begin() + k * per);
    }
  }
  if (d.has_labels()) {
    out.labels.resize(m);
    for (size_t k = 0; k < m; ++k) out.labels[k] = d.labels[indices[k]];
  }
  out.attributes.resize(m * a);
  for (size_t k = 0; k < m; ++k) {
    std::copy_n(d.attributes.begin() + indices[k] * a, a,
                out.attributes.begin() + k * a);
  }
  return out;
}

std::vector<int64_t> SeededPermutation(int64_t n, uint64_t seed) {
  std::vector<int64_t> p(std::max<int64_t>(n, 0));
  for (int64_t i = 0; i < n; ++i) p[i] = i;
  std::mt19937_64 rng(seed);
  for (int64_t i = n - 1; i > 0; --i) {
    // Modulo bias is below 2^-40 for any n that fits in memory.
    const int64_t j = static_cast<int64_t>(rng() % static_cast<uint64_t>(i + 1));
    std::swap(p[i], p[j]);
  }
  return p;
}

absl::StatusOr<Dataset> Shuffled(const Dataset& d, uint64_t seed) {
  return Subset(d, SeededPermutation(d.size(), seed), d.name);
}

absl::StatusOr<Dataset> FilterClasses(const Dataset& d,
                                      absl::Span<const int32_t> classes) {
  if (!d.has_labels() && d.size() > 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "class filter on '", d.name, "', which has no labels"));
  }
  if (classes.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("empty class filter for '", d.name, "'"));
  }
  std::vector<bool> keep(d.class_names.size(), false);
  for (int32_t c : classes) {
    if (c < 0 || c >= static_cast<int32_t>(d.class_names.size())) {
      return absl::InvalidArgumentError(
          absl::StrCat("class ", c, " in the filter is not a class of '",
                       d.name, "' (0..", d.class_names.size() - 1, ")"));
    }
    keep[c] = true;
  }
  std::vector<int64_t> idx;
  for (int64_t i = 0; i < d.size(); ++i) {
    if (keep[d.labels[i]]) idx.push_back(i);
  }
  return Subset(d, idx, d.name);
}

absl::StatusOr<std::vector<int32_t>> ParseClassList(const std::string& text) {
  std::vector<int32_t> out;
  if (absl::StripAsciiWhitespace(text).empty()) return out;
  std::set<int32_t> seen;
  for (absl::string_view tok : absl::StrSplit(text, ',')) {
    tok = absl::StripAsciiWhitespace(tok);
    int32_t c = 0;
    if (!absl::SimpleAtoi(tok, &c) || c < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "class list '", text, "': '", tok,
          "' is not a non-negative class index"));
    }
    if (seen.insert(c).second) out.push_back(c);
  }
  return out;
}

absl::StatusOr<DatasetSplits> SplitTrainValid(const Dataset& d, int64_t train,
                                              int64_t valid, uint64_t seed) {
  if (train < 0 || valid < 0 || train + valid > d.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("split of '", d.name, "' into ", train, " train + ",
                     valid, " valid items: it has ", d.size()));
  }
  const std::vector<int64_t> p = SeededPermutation(d.size(), seed);
  const auto begin = p.begin();
  DatasetSplits s;
  const std::string base = d.name.substr(0, d.name.rfind('/'));
  ISOAE_ASSIGN_OR_RETURN(
      s.train, Subset(d, std::vector<int64_t>(begin, begin + train),
                      absl::StrCat(base, "/train")));
  ISOAE_ASSIGN_OR_RETURN(
      s.valid,
      Subset(d, std::vector<int64_t>(begin + train, begin + train + valid),
             absl::StrCat(base, "/valid")));
  return s;
}

absl::StatusOr<DatasetSplits> SplitFractions(const Dataset& d, double train,
                                             double valid, double test,
                                             uint64_t seed) {
  for (double f : {train, valid, test}) {
    if (!(f >= 0.0 && f <= 1.0)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "split fractions (", train, ", ", valid, ", ", test,
          ") for '", d.name, "': each must be in [0, 1]"));
    }
  }
  if (train + valid + test > 1.0 + 1e-9) {
    return absl::InvalidArgumentError(
        absl::StrCat("split fractions (", train, ", ", valid, ", ", test,
                     ") for '", d.name, "' sum to more than 1"));
  }
  const int64_t n = d.size();
  const auto count = [n](double f) {
    return static_cast<int64_t>(std::floor(f * static_cast<double>(n) + 1e-9));
  };
  const int64_t nt = count(train), nv = count(valid), ns = count(test);
  const std::vector<int64_t> p = SeededPermutation(n, seed);
  const auto b = p.begin();
  const std::string base = d.name.substr(0, d.name.rfind('/'));
  DatasetSplits s;
  ISOAE_ASSIGN_OR_RETURN(s.train, Subset(d, std::vector<int64_t>(b, b + nt),
                                         absl::StrCat(base, "/train")));
  ISOAE_ASSIGN_OR_RETURN(
      s.valid, Subset(d, std::vector<int64_t>(b + nt, b + nt + nv),
                      absl::StrCat(base, "/valid")));
  ISOAE_ASSIGN_OR_RETURN(
      s.test, Subset(d, std::vector<int64_t>(b + nt + nv, b + nt + nv + ns),
                     absl::StrCat(base, "/test")));
  return s;
}

std::vector<int64_t> ClassHistogram(const Dataset& d) {
  if (!d.has_labels()) return {};
  std::vector<int64_t> h(d.class_names.size(), 0);
  for (int32_t l : d.labels) {
    if (l >= 0 && l < static_cast<int32_t>(h.size())) ++h[l];
  }
  return h;
}

ValueRange ComputeValueRange(const Dataset& d) {
  ValueRange r;
  const size_t n =
      d.storage == Storage::kUint8 ? d.pixels.size() : d.features.size();
  if (n == 0) return r;
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  double sum = 0;
  if (d.storage == Storage::kUint8) {
    uint64_t isum = 0;
    uint8_t bl = 255, bh = 0;
    for (uint8_t v : d.pixels) {
      bl = std::min(bl, v);
      bh = std::max(bh, v);
      isum += v;
    }
    lo = bl;
    hi = bh;
    sum = static_cast<double>(isum);
  } else {
    for (float v : d.features) {
      lo = std::min<double>(lo, v);
      hi = std::max<double>(hi, v);
      sum += v;
    }
  }
  r.min = lo;
  r.max = hi;
  r.mean = sum / static_cast<double>(n);
  return r;
}

}  // namespace isoae
