// Result tables written as CSV, JSON (nlohmann-json) and aligned text.
//
// A Table has named columns and rows of cells; a cell is text or a number.
// JSON output is an array of objects, numbers as JSON numbers. Errors:
// AddRow CHECK-fails on a row of the wrong width (a programmer error);
// writers return kInternal naming the path if the file cannot be written.
#ifndef ISOAE_CORE_TABLE_H_
#define ISOAE_CORE_TABLE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace isoae {

struct Cell {
  Cell(const char* s) : text(s) {}         // NOLINT: implicit by design
  Cell(std::string s) : text(std::move(s)) {}  // NOLINT
  Cell(double v, int precision = 4);        // NOLINT
  std::string text;
  std::optional<double> number;
};

class Table {
 public:
  explicit Table(std::vector<std::string> columns);
  void AddRow(std::vector<Cell> row);
  const std::vector<std::string>& columns() const { return columns_; }
  const std::vector<std::vector<Cell>>& rows() const { return rows_; }

  std::string ToText() const;  // aligned columns, for stdout
  absl::Status WriteCsv(const std::string& path) const;
  absl::Status WriteJson(const std::string& path) const;

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<Cell>> rows_;
};

// Writes `text` to `path` (creating parent directories) through a temporary
// file renamed over it, so a reader never sees half a file; kInternal on
// failure.
absl::Status WriteTextFile(const std::string& path, const std::string& text);

}  // namespace isoae

#endif  // ISOAE_CORE_TABLE_H_
