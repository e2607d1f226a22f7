// Fuzz target: image decoding (PNG, JPEG and what stb_image reads) for
// COIL-20 and CelebA, datasets/image_io.h. The first byte picks the channels
// asked for (0 = the file's own, 1, 3).
#include <fstream>
#include <iterator>

#include "datasets/image_io.h"
#include "tools/fuzz/fuzz_support.h"

namespace {

std::string Encoded(bool png, int channels) {
  isoae::Image img{6, 5, channels, std::vector<uint8_t>(6 * 5 * channels)};
  for (size_t i = 0; i < img.pixels.size(); ++i) img.pixels[i] = static_cast<uint8_t>(i * 9);
  const std::string path = isoae::fuzz::ScratchFile(png ? "seed.png" : "seed.jpg", "");
  if (!(png ? isoae::WritePng(path, img) : isoae::WriteJpeg(path, img, 90)).ok()) return "";
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

ISOAE_FUZZ_SEEDS() {
  std::vector<std::string> seeds;
  for (const char c : {'\0', '\1', '\3'}) {
    seeds.push_back(c + Encoded(true, 1));
    seeds.push_back(c + Encoded(true, 3));
    seeds.push_back(c + Encoded(false, 3));
  }
  return seeds;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const int channels[4] = {0, 1, 3, 3};
  const int want = channels[data[0] % 4];
  absl::StatusOr<isoae::Image> img = isoae::DecodeImage(
      std::string(reinterpret_cast<const char*>(data) + 1, size - 1), "fuzz.img", want);
  if (img.ok()) {
    if ((want != 0 && img->channels != want) ||
        img->pixels.size() != static_cast<size_t>(img->height) * img->width * img->channels) {
      __builtin_trap();
    }
  }
  return 0;
}
