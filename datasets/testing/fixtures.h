// Test helpers that write small dataset files: a fresh directory under
// TEST_TMPDIR, raw and gzip-compressed bytes, IDX arrays. CHECK-fails on I/O
// errors (tests only).
#ifndef ISOAE_DATASETS_TESTING_FIXTURES_H_
#define ISOAE_DATASETS_TESTING_FIXTURES_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace isoae::testing {

// A new empty directory (TEST_TMPDIR, else /tmp) named after `tag`.
std::string FreshDir(const std::string& tag);

// mkdir -p.
void MakeDirs(const std::string& dir);

// Creates the parent directories.
void WriteBytes(const std::string& path, const std::string& bytes);
std::string Gzip(const std::string& bytes);

// IDX bytes: magic 0 0 `type` ndims, big-endian dims, then `data`.
std::string IdxBytes(const std::vector<uint32_t>& dims,
                     const std::vector<uint8_t>& data, uint8_t type = 0x08);

// A fresh MNIST-style directory (plain train-/t10k- images and labels IDX
// files) with `train` and `test` items of height x width pixels: pixel (y, x)
// of item i is pixel(i, y, x), its label i % 10.
std::string WriteMnistStyleDir(
    const std::string& tag, int train, int test, int height, int width,
    const std::function<uint8_t(int item, int y, int x)>& pixel);

}  // namespace isoae::testing

#endif  // ISOAE_DATASETS_TESTING_FIXTURES_H_
