#include "core/model.h"

namespace isoae {

std::string ModelKindName(ModelKind kind) {
  return kind == ModelKind::kVae ? "vae" : "ae";
}

}  // namespace isoae
