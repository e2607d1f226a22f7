// Test helpers that write small dataset files: a fresh directory under
// TEST_TMPDIR, raw and gzip-compressed bytes, IDX arrays. CHECK-fails on I/O
// errors (tests only).
#ifndef ISOAE_DATASETS_TESTING_FIXTURES_H_
#define ISOAE_DATASETS_TESTING_FIXTURES_H_

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
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

// CMU's standard skeleton (e.g. 02.asf): 31 bones, 62 degrees of freedom
// with the root's 6, as (bone name, "rx ry rz"-style dofs; empty: fixed).
const std::vector<std::pair<std::string, std::string>>& CmuBones();
// That skeleton as ASF text, angles in `unit` ("deg" or "rad").
std::string CmuAsf(const std::string& unit = "deg");
// AMC text of `frames` frames (numbered from 1, :DEGREES): the root line is
// "root 1.5 2.5 3.5 f f f", and the k-th dof of the b-th bone with dofs
// (root = 0, so b >= 1) is value(f, b, k).
std::string CmuAmc(int frames, const std::function<double(int f, int b, int k)>& value);
// A fresh directory with the skeleton (02.asf), one AMC trial per class
// (02_0<c+1>.amc, `frames` frames of smooth periodic motion whose frequency
// and phase depend on the class) and trials.txt listing them under the
// IRVAE D.2 classes walking, jogging, balancing, punching. Returns the
// directory; the list is <dir>/trials.txt.
std::string WriteCmuMocapDir(const std::string& tag, int frames);

}  // namespace isoae::testing

#endif  // ISOAE_DATASETS_TESTING_FIXTURES_H_
