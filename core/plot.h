// Figures as PNG through PLplot's C++ API (cairo PNG device, headless).
//
//   WriteScatterPng   2-D scatter, each point coloured by a scalar (e.g. the
//                     true chart coordinate, or a class label).
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
  bool equal_aspect = true;
  int width = 800, height = 800;
};

absl::Status WriteScatterPng(const std::string& path, const ScatterPlot& plot);

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
