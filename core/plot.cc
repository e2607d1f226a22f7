#include "core/plot.h"

#include <plplot/plstream.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"

namespace isoae {
namespace {

std::unique_ptr<plstream> OpenPng(const std::string& path, int w, int h) {
  std::error_code ec;
  const std::filesystem::path p(path);
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
  auto pls = std::make_unique<plstream>();
  pls->sdev("pngcairo");
  pls->sfnam(path.c_str());
  pls->spage(0, 0, w, h, 0, 0);
  pls->scolbg(255, 255, 255);
  pls->scol0(15, 0, 0, 0);     // axes and labels: black on white
  pls->scol0(9, 40, 90, 200);  // grid lines: blue
  pls->scol0(1, 200, 40, 40);  // uncoloured points: red
  pls->init();
  // Colour map 1: a viridis-like ramp (dark blue -> teal -> yellow), readable
  // on white and in grey scale.
  PLFLT pos[5] = {0.0, 0.25, 0.5, 0.75, 1.0};
  PLFLT r[5] = {0.27, 0.23, 0.13, 0.37, 0.99};
  PLFLT g[5] = {0.00, 0.32, 0.57, 0.79, 0.91};
  PLFLT b[5] = {0.33, 0.55, 0.55, 0.38, 0.14};
  pls->scmap1l(true, 5, pos, r, g, b, nullptr);
  pls->col0(15);
  return pls;
}

absl::Status CheckWritten(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) || std::filesystem::file_size(path, ec) == 0) {
    return absl::InternalError(absl::StrCat("PLplot wrote no figure to ", path));
  }
  return absl::OkStatus();
}

void Range(const std::vector<double>& v, double* lo, double* hi) {
  *lo = *std::min_element(v.begin(), v.end());
  *hi = *std::max_element(v.begin(), v.end());
  if (*hi - *lo < 1e-12) {
    *lo -= 0.5;
    *hi += 0.5;
  }
}

double Unit(double v, double lo, double hi) { return (v - lo) / (hi - lo); }

bool AllFinite(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [](double d) { return std::isfinite(d); });
}

}  // namespace

absl::Status WriteScatterPng(const std::string& path, const ScatterPlot& plot) {
  if (plot.x.empty() || plot.x.size() != plot.y.size() ||
      (!plot.color.empty() && plot.color.size() != plot.x.size())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "scatter ", path, ": need equal non-zero lengths, got x ", plot.x.size(), ", y ",
        plot.y.size(), ", color ", plot.color.size()));
  }
  if (!AllFinite(plot.x) || !AllFinite(plot.y) || !AllFinite(plot.color)) {
    return absl::InvalidArgumentError(absl::StrCat("scatter ", path, ": non-finite values"));
  }
  if (!plot.polygon_color.empty() && plot.polygon_color.size() != plot.polygons.size()) {
    return absl::InvalidArgumentError(absl::StrCat("scatter ", path, ": ",
                                                   plot.polygon_color.size(), " colours for ",
                                                   plot.polygons.size(), " polygons"));
  }
  std::vector<double> all_x = plot.x, all_y = plot.y;
  for (const auto& poly : plot.polygons) {
    for (const auto& p : poly) {
      all_x.push_back(p[0]);
      all_y.push_back(p[1]);
    }
  }
  if (!AllFinite(all_x) || !AllFinite(all_y) || !AllFinite(plot.polygon_color)) {
    return absl::InvalidArgumentError(absl::StrCat("scatter ", path, ": non-finite polygons"));
  }
  double x0, x1, y0, y1, c0 = 0, c1 = 1, p0 = 0, p1 = 1;
  Range(all_x, &x0, &x1);
  Range(all_y, &y0, &y1);
  if (!plot.color.empty()) Range(plot.color, &c0, &c1);
  if (!plot.polygon_color.empty()) Range(plot.polygon_color, &p0, &p1);
  const double mx = 0.05 * (x1 - x0), my = 0.05 * (y1 - y0);
  {
    auto pls = OpenPng(path, plot.width, plot.height);
    pls->env(x0 - mx, x1 + mx, y0 - my, y1 + my, plot.equal_aspect ? 1 : 0, 0);
    pls->lab(plot.xlabel.c_str(), plot.ylabel.c_str(), plot.title.c_str());
    pls->ssym(0, 0.6);
    for (size_t i = 0; i < plot.x.size(); ++i) {
      if (!plot.color.empty()) pls->col1(Unit(plot.color[i], c0, c1));
      PLFLT xi = plot.x[i], yi = plot.y[i];
      pls->poin(1, &xi, &yi, 17);
    }
    pls->width(1.5);
    for (size_t k = 0; k < plot.polygons.size(); ++k) {
      const auto& poly = plot.polygons[k];
      if (poly.size() < 2) continue;
      std::vector<PLFLT> xs, ys;
      for (const auto& p : poly) {
        xs.push_back(p[0]);
        ys.push_back(p[1]);
      }
      xs.push_back(poly[0][0]);
      ys.push_back(poly[0][1]);
      if (plot.polygon_color.empty()) {
        pls->col0(15);
      } else {
        pls->col1(Unit(plot.polygon_color[k], p0, p1));
      }
      pls->line(static_cast<PLINT>(xs.size()), xs.data(), ys.data());
    }
  }  // plstream's destructor finishes the file
  return CheckWritten(path);
}

absl::Status WriteLinePlotPng(const std::string& path, const LinePlot& plot) {
  std::vector<double> all_x, all_y;
  for (const auto& s : plot.series) {
    if (s.x.size() != s.y.size()) {
      return absl::InvalidArgumentError(absl::StrCat("line plot ", path, ": series '", s.label,
                                                     "' has ", s.x.size(), " x and ",
                                                     s.y.size(), " y values"));
    }
    for (size_t i = 0; i < s.x.size(); ++i) {
      all_x.push_back(plot.log_x ? std::log10(s.x[i]) : s.x[i]);
      all_y.push_back(s.y[i]);
    }
  }
  if (all_x.empty()) return absl::InvalidArgumentError(absl::StrCat("line plot ", path, ": no points"));
  if (!AllFinite(all_x) || !AllFinite(all_y)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "line plot ", path, ": non-finite values", plot.log_x ? " (log axis needs x > 0)" : ""));
  }
  double x0, x1, y0, y1;
  Range(all_x, &x0, &x1);
  Range(all_y, &y0, &y1);
  const double mx = 0.05 * (x1 - x0), my = 0.08 * (y1 - y0);
  {
    auto pls = OpenPng(path, plot.width, plot.height);
    pls->env(x0 - mx, x1 + mx, y0 - my, y1 + my, 0, plot.log_x ? 10 : 0);
    pls->lab(plot.xlabel.c_str(), plot.ylabel.c_str(), plot.title.c_str());
    // Distinct colours from map 0: red, blue, green-ish, magenta, ...
    const int colors[] = {1, 9, 3, 13, 8, 4, 12, 10};
    const int markers[] = {17, 2, 5, 6, 11, 3, 4, 7};
    for (size_t k = 0; k < plot.series.size(); ++k) {
      const auto& s = plot.series[k];
      std::vector<PLFLT> xs, ys;
      for (size_t i = 0; i < s.x.size(); ++i) {
        xs.push_back(plot.log_x ? std::log10(s.x[i]) : s.x[i]);
        ys.push_back(s.y[i]);
      }
      pls->col0(colors[k % 8]);
      pls->width(2.0);
      if (xs.size() > 1) pls->line(static_cast<PLINT>(xs.size()), xs.data(), ys.data());
      pls->ssym(0, 1.0);
      pls->poin(static_cast<PLINT>(xs.size()), xs.data(), ys.data(), markers[k % 8]);
      // Legend: one line per series, top right, in the series' colour.
      pls->mtex("rv", -1.0, 0.95 - 0.05 * static_cast<double>(k), 1.0, s.label.c_str());
    }
  }
  return CheckWritten(path);
}

absl::Status WriteScene3dPng(const std::string& path, const Scene3d& scene) {
  if (scene.points.empty() && scene.segments.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("3-D scene ", path, ": nothing to draw"));
  }
  if (!scene.point_color.empty() && scene.point_color.size() != scene.points.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "3-D scene ", path, ": ", scene.point_color.size(), " colours for ",
        scene.points.size(), " points"));
  }
  std::vector<double> coord[3];
  for (const auto& p : scene.points) for (int d = 0; d < 3; ++d) coord[d].push_back(p[d]);
  for (const auto& s : scene.segments)
    for (const auto& p : s) for (int d = 0; d < 3; ++d) coord[d].push_back(p[d]);
  double lo[3], hi[3];
  for (int d = 0; d < 3; ++d) {
    if (!AllFinite(coord[d])) {
      return absl::InvalidArgumentError(absl::StrCat("3-D scene ", path, ": non-finite values"));
    }
    Range(coord[d], &lo[d], &hi[d]);
  }
  double c0 = 0, c1 = 1;
  if (!scene.point_color.empty()) Range(scene.point_color, &c0, &c1);
  {
    auto pls = OpenPng(path, scene.width, scene.height);
    pls->adv(0);
    pls->vpor(0.0, 1.0, 0.0, 0.9);
    pls->wind(-1.0, 1.0, -0.9, 1.1);
    pls->w3d(1.0, 1.0, 1.0, lo[0], hi[0], lo[1], hi[1], lo[2], hi[2], scene.altitude,
             scene.azimuth);
    pls->box3("bnstu", "x", 0.0, 0, "bnstu", "y", 0.0, 0, "bcdmnstuv", "z", 0.0, 0);
    pls->mtex("t", 1.0, 0.5, 0.5, scene.title.c_str());
    pls->col0(9);  // blue grid lines
    pls->width(0.5);
    for (const auto& s : scene.segments) {
      PLFLT xs[2] = {s[0][0], s[1][0]}, ys[2] = {s[0][1], s[1][1]}, zs[2] = {s[0][2], s[1][2]};
      pls->line3(2, xs, ys, zs);
    }
    pls->ssym(0, 0.5);
    for (size_t i = 0; i < scene.points.size(); ++i) {
      if (!scene.point_color.empty()) pls->col1(Unit(scene.point_color[i], c0, c1));
      else pls->col0(1);
      PLFLT x = scene.points[i][0], y = scene.points[i][1], z = scene.points[i][2];
      pls->poin3(1, &x, &y, &z, 17);
    }
  }
  return CheckWritten(path);
}

}  // namespace isoae
