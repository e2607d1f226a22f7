// Fuzz target: SVHN's MATLAB v5 files (through matio), datasets/svhn.h.
#include <matio.h>

#include <fstream>
#include <iterator>

#include "datasets/svhn.h"
#include "tools/fuzz/fuzz_support.h"

namespace {

// A 2-item SVHN file written by matio, as bytes.
std::string SmallMat(matio_compression compression) {
  const std::string path = isoae::fuzz::ScratchFile("svhn_seed.mat", "");
  mat_t* mat = Mat_CreateVer(path.c_str(), nullptr, MAT_FT_MAT5);
  std::vector<uint8_t> x(32 * 32 * 3 * 2);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<uint8_t>(i * 7);
  size_t xdims[4] = {32, 32, 3, 2};
  matvar_t* xv = Mat_VarCreate("X", MAT_C_UINT8, MAT_T_UINT8, 4, xdims, x.data(), 0);
  Mat_VarWrite(mat, xv, compression);
  Mat_VarFree(xv);
  double y[2] = {10, 3};
  size_t ydims[2] = {2, 1};
  matvar_t* yv = Mat_VarCreate("y", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, ydims, y, 0);
  Mat_VarWrite(mat, yv, compression);
  Mat_VarFree(yv);
  Mat_Close(mat);
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

ISOAE_FUZZ_SEEDS() { return {SmallMat(MAT_COMPRESSION_NONE), SmallMat(MAT_COMPRESSION_ZLIB)}; }

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = isoae::fuzz::ScratchFile(
      "svhn.mat", std::string(reinterpret_cast<const char*>(data), size));
  absl::StatusOr<isoae::Dataset> d = isoae::LoadSvhnMat(path, "fuzz");
  if (d.ok() && !isoae::ValidateDataset(*d).ok()) __builtin_trap();
  return 0;
}
