#include "core/model.h"

#include <utility>

namespace isoae {

std::vector<at::Tensor> EncoderDecoderParameters(const Sequential& encoder,
                                                 const Sequential& decoder) {
  std::vector<at::Tensor> p = encoder.Parameters();
  for (auto& t : decoder.Parameters()) p.push_back(t);
  return p;
}

std::vector<NamedTensor> EncoderDecoderState(const Sequential& encoder,
                                             const Sequential& decoder) {
  std::vector<NamedTensor> out;
  for (const auto& [prefix, net] : {std::pair<const char*, const Sequential*>{"encoder/", &encoder},
                                    {"decoder/", &decoder}}) {
    for (auto& t : net->NamedParameters()) out.push_back({prefix + t.name, t.tensor});
    for (auto& t : net->NamedBuffers()) out.push_back({prefix + t.name, t.tensor});
  }
  return out;
}

std::string ModelKindName(ModelKind kind) {
  switch (kind) {
    case ModelKind::kAutoencoder:
      return "ae";
    case ModelKind::kVae:
      return "vae";
    case ModelKind::kFlattened:
      return "flattened";
  }
  return "unknown";
}

}  // namespace isoae
