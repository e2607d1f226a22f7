// Fuzz target: checkpoints (isoae format, see core/checkpoint.h).
#include <torch/types.h>

#include <zlib.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "core/checkpoint.h"
#include "tools/fuzz/fuzz_support.h"

ISOAE_FUZZ_SEEDS() {
  const std::string path = isoae::fuzz::ScratchFile("seed.pt", "");
  if (!isoae::SaveCheckpoint(path, 12, "fuzz-fp",
                             {{"w", torch::arange(4, torch::kFloat)},
                              {"b", torch::ones({2, 2}, torch::kDouble)}})
           .ok()) {
    return {};
  }
  std::ifstream in(path, std::ios::binary);
  return {std::string(std::istreambuf_iterator<char>(in), {})};
}

namespace {

void Load(const std::string& bytes) {
  const std::string path = isoae::fuzz::ScratchFile("ckpt.pt", bytes);
  isoae::ReadCheckpointFingerprint(path).IgnoreError();
  torch::Tensor w = torch::zeros({4}, torch::kFloat);
  torch::Tensor b = torch::zeros({2, 2}, torch::kDouble);
  isoae::LoadCheckpoint(path, "fuzz-fp", {{"w", w}, {"b", b}}).IgnoreError();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  Load(bytes);
  // Again with the CRC-32 made right, so that mutations reach the parser
  // behind the checksum (header 16 bytes, CRC the last 4).
  if (bytes.size() >= 20) {
    const uint32_t crc = static_cast<uint32_t>(
        crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(bytes.data() + 16),
              static_cast<uInt>(bytes.size() - 20)));
    std::memcpy(&bytes[bytes.size() - 4], &crc, 4);
    Load(bytes);
  }
  return 0;
}
