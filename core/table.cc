#include "core/table.h"

#include <glog/logging.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace isoae {

Cell::Cell(double v, int precision) : number(v) {
  text = std::isfinite(v) ? absl::StrFormat("%.*g", precision, v) : absl::StrCat(v);
}

Table::Table(std::vector<std::string> columns) : columns_(std::move(columns)) {}

void Table::AddRow(std::vector<Cell> row) {
  CHECK_EQ(row.size(), columns_.size()) << "table row has the wrong number of cells";
  rows_.push_back(std::move(row));
}

std::string Table::ToText() const {
  std::vector<size_t> w(columns_.size());
  for (size_t c = 0; c < columns_.size(); ++c) {
    w[c] = columns_[c].size();
    for (const auto& r : rows_) w[c] = std::max(w[c], r[c].text.size());
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t c = 0; c < cells.size(); ++c) {
      absl::StrAppend(&out, c ? "  " : "", absl::StrFormat("%-*s", w[c], cells[c]));
    }
    out += "\n";
  };
  line(columns_);
  std::vector<std::string> rule;
  for (size_t c = 0; c < w.size(); ++c) rule.push_back(std::string(w[c], '-'));
  line(rule);
  for (const auto& r : rows_) {
    std::vector<std::string> t;
    for (const auto& cell : r) t.push_back(cell.text);
    line(t);
  }
  return out;
}

absl::Status WriteTextFile(const std::string& path, const std::string& text) {
  std::error_code ec;
  const std::filesystem::path p(path);
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
  // Written next to the target and renamed over it: a run killed while
  // writing leaves the previous file, never a truncated one.
  const std::string tmp = path + ".tmp";
  std::ofstream f(tmp);
  f << text;
  f.close();
  if (!f) {
    std::filesystem::remove(tmp, ec);
    return absl::InternalError(absl::StrCat("could not write ", path));
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return absl::InternalError(absl::StrCat("could not write ", path, ": ", ec.message()));
  }
  return absl::OkStatus();
}

absl::Status Table::WriteCsv(const std::string& path) const {
  auto quote = [](const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return q + "\"";
  };
  std::string out;
  std::vector<std::string> h;
  for (const auto& c : columns_) h.push_back(quote(c));
  absl::StrAppend(&out, absl::StrJoin(h, ","), "\n");
  for (const auto& r : rows_) {
    std::vector<std::string> t;
    for (const auto& cell : r) {
      t.push_back(cell.number ? absl::StrFormat("%.10g", *cell.number) : quote(cell.text));
    }
    absl::StrAppend(&out, absl::StrJoin(t, ","), "\n");
  }
  return WriteTextFile(path, out);
}

absl::Status Table::WriteJson(const std::string& path) const {
  nlohmann::ordered_json arr = nlohmann::ordered_json::array();
  for (const auto& r : rows_) {
    nlohmann::ordered_json obj;
    for (size_t c = 0; c < columns_.size(); ++c) {
      if (r[c].number && std::isfinite(*r[c].number)) obj[columns_[c]] = *r[c].number;
      else obj[columns_[c]] = r[c].text;
    }
    arr.push_back(obj);
  }
  return WriteTextFile(path, arr.dump(2) + "\n");
}

}  // namespace isoae
