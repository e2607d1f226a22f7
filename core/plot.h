// Figures as PNG through PLplot's C++ API (cairo PNG device, headless).
//
//   WriteScatterPng   2-D scatter, each point coloured by a scalar (e.g. the
//                     true chart coordinate, or a class label).
//   WriteLinePlotPng  curves with markers and a legend (tradeoff curves).
//   WriteScene3dPng   3-D points and line segments (e.g. data and a decoded
//                     latent grid) under a fixed view (azimuth/altitude).
//
// Colours map a value linearly onto PLplot's colour map 1 between the
// series' min and max. Errors: kInvalidArgument for mismatched lengths, no
// points or non-finite coordinates; kInternal if PLplot produced no file.
#ifndef ISOAE_CORE_PLOT_H_
#define ISOAE_CORE_PLOT_H_

#include <array>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace isoae {

struct ScatterPlot {
  std::string title, xlabel, ylabel;
  std::vector<double> x, y, color;  // equal lengths; color may be empty
  // Closed outlines drawn over the points (e.g. equidistance ellipses), each
  // coloured by polygon_color on its own scale (empty: black).
  std::vector<std::vector<std::array<double, 2>>> polygons;
  std::vector<double> polygon_color;
  bool equal_aspect = true;
  int width = 800, height = 800;
};

absl::Status WriteScatterPng(const std::string& path, const ScatterPlot& plot);

// Lines with markers, one per series (e.g. tradeoff curves MSE vs VoR over a
// sweep of the regularisation weight), with a legend; log_x for ranges over
// decades.
struct LinePlot {
  struct Series {
    std::string label;
    std::vector<double> x, y;
  };
  std::string title, xlabel, ylabel;
  std::vector<Series> series;
  bool log_x = false;
  int width = 800, height = 600;
};

absl::Status WriteLinePlotPng(const std::string& path, const LinePlot& plot);

struct Scene3d {
  std::string title;
  std::vector<std::array<double, 3>> points;
  std::vector<double> point_color;  // empty or one per point
  std::vector<std::array<std::array<double, 3>, 2>> segments;
  double azimuth = 30, altitude = 30;  // degrees
  int width = 800, height = 800;
};

absl::Status WriteScene3dPng(const std::string& path, const Scene3d& scene);

}  // namespace isoae

#endif  // ISOAE_CORE_PLOT_H_
