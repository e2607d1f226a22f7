#include "core/networks.h"

#include <ATen/ATen.h>
#include <glog/logging.h>

#include <cmath>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/status_macros.h"
#include "core/torch_boundary.h"

namespace isoae {
namespace {

struct LayerSpec {
  // LIN, FC, FC_B, CONV, CONV_A, CONV_B, CONVT, CONVT_A, CONVT_B, PAD, CROP, UNFLATTEN
  std::string kind;
  std::vector<int64_t> args;  // n | c,k,s,p | p | c,h,w
};

absl::StatusOr<LayerSpec> ParseSpec(const std::string& text, size_t index) {
  std::vector<std::string> parts =
      absl::StrSplit(absl::StripAsciiWhitespace(text), ' ', absl::SkipEmpty());
  auto bad = [&](const std::string& why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "network layer ", index, " \"", text, "\": ", why,
        " (expected e.g. \"FC 256\", \"LIN 2\", \"CONV_B 32,4,2,1\")"));
  };
  if (parts.size() != 2) return bad("expected a kind and its arguments");
  LayerSpec spec;
  spec.kind = parts[0];
  std::string args = absl::StrJoin(parts.begin() + 1, parts.end(), "");
  for (absl::string_view a : absl::StrSplit(args, ',')) {
    int64_t v;
    if (!absl::SimpleAtoi(a, &v)) return bad(absl::StrCat("\"", a, "\" is not an integer"));
    spec.args.push_back(v);
  }
  const bool conv = spec.kind == "CONV" || spec.kind == "CONV_A" || spec.kind == "CONV_B" ||
                    spec.kind == "CONVT" || spec.kind == "CONVT_A" || spec.kind == "CONVT_B";
  const bool vec = spec.kind == "LIN" || spec.kind == "FC" || spec.kind == "FC_B";
  const bool border = spec.kind == "PAD" || spec.kind == "CROP";
  const bool unflatten = spec.kind == "UNFLATTEN";
  if (!conv && !vec && !border && !unflatten) return bad("unknown layer kind");
  if (conv && spec.args.size() != 4) return bad("needs 4 arguments c,k,s,p");
  if (unflatten && spec.args.size() != 3) return bad("needs 3 arguments c,h,w");
  if ((vec || border) && spec.args.size() != 1) return bad("needs 1 argument");
  if (unflatten && (spec.args[1] <= 0 || spec.args[2] <= 0)) return bad("sizes must be positive");
  if (spec.args[0] <= 0 && !border) return bad("size must be positive");
  if (conv && (spec.args[1] <= 0 || spec.args[2] <= 0 || spec.args[3] < 0)) {
    return bad("kernel and stride must be positive, padding non-negative");
  }
  if (border && spec.args[0] < 0) return bad("padding / crop must be non-negative");
  return spec;
}

std::unique_ptr<Layer> MakeActivation(Activation a, double beta) {
  switch (a) {
    case Activation::kSoftplus: return MakeSoftplus(beta);
    case Activation::kReLU: return MakeReLU();
    case Activation::kSigmoid: return MakeSigmoid();
    case Activation::kTanh: return MakeTanh();
    case Activation::kELU: return MakeELU(1.0);
    case Activation::kNone: return nullptr;
  }
  return nullptr;
}

int64_t Scaled(int64_t n, double m, bool last) {
  if (last) return n;
  return std::max<int64_t>(1, static_cast<int64_t>(std::lround(n * m)));
}

}  // namespace

absl::StatusOr<Activation> ParseActivation(const std::string& name) {
  const std::string n = absl::AsciiStrToLower(name);
  if (n == "softplus") return Activation::kSoftplus;
  if (n == "relu") return Activation::kReLU;
  if (n == "sigmoid") return Activation::kSigmoid;
  if (n == "tanh") return Activation::kTanh;
  if (n == "elu") return Activation::kELU;
  if (n == "none" || n == "linear") return Activation::kNone;
  return absl::InvalidArgumentError(absl::StrCat(
      "activation \"", name, "\": expected softplus, relu, sigmoid, tanh, elu or none"));
}

absl::StatusOr<BuiltNetwork> BuildNetwork(const NetworkConfig& config,
                                          const c10::TensorOptions& options) {
  if (config.input_shape.empty() || config.input_shape.size() == 2 ||
      config.input_shape.size() > 3) {
    return absl::InvalidArgumentError(absl::StrCat(
        "network input_shape [", absl::StrJoin(config.input_shape, ","),
        "]: expected [d] for vectors or [C,H,W] for images"));
  }
  for (int64_t d : config.input_shape) {
    if (d <= 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "network input_shape [", absl::StrJoin(config.input_shape, ","),
          "] has a non-positive dimension"));
    }
  }
  if (config.layers.empty()) {
    return absl::InvalidArgumentError("network has no layers");
  }
  if (!(config.width_multiplier > 0) || !std::isfinite(config.width_multiplier)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "network width_multiplier must be positive and finite, got ",
        config.width_multiplier));
  }
  if (config.hidden_activation == Activation::kSoftplus &&
      !(config.softplus_beta > 0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "softplus_beta must be positive, got ", config.softplus_beta));
  }
  BuiltNetwork built;
  std::vector<int64_t> shape = config.input_shape;  // current per-sample shape
  const double m = config.width_multiplier;
  std::vector<LayerSpec> specs;
  for (size_t i = 0; i < config.layers.size(); ++i) {
    ISOAE_ASSIGN_OR_RETURN(LayerSpec spec, ParseSpec(config.layers[i], i));
    specs.push_back(std::move(spec));
  }
  // The output layer keeps its size under a width multiplier: the last
  // layer with weights, and any shape-only layers (CROP, UNFLATTEN) after it.
  size_t last_weight_layer = 0;
  for (size_t i = 0; i < specs.size(); ++i) {
    if (specs[i].kind != "PAD" && specs[i].kind != "CROP" && specs[i].kind != "UNFLATTEN") {
      last_weight_layer = i;
    }
  }
  for (size_t i = 0; i < specs.size(); ++i) {
    const LayerSpec& spec = specs[i];
    const bool last = i >= last_weight_layer;
    const bool image = shape.size() == 3;
    if (spec.kind == "LIN" || spec.kind == "FC" || spec.kind == "FC_B") {
      if (image) {
        built.net.Add(MakeFlatten());
        shape = {shape[0] * shape[1] * shape[2]};
      }
      int64_t out = Scaled(spec.args[0], m, last);
      if (i + 1 < specs.size() && specs[i + 1].kind == "UNFLATTEN") {
        // The layer feeds a feature map: its width follows the map's scaled
        // channel count, so that the two agree at any width multiplier.
        const std::vector<int64_t>& u = specs[i + 1].args;
        if (spec.args[0] != u[0] * u[1] * u[2]) {
          return absl::InvalidArgumentError(absl::StrCat(
              "network layer ", i, " \"", config.layers[i], "\" has ", spec.args[0],
              " outputs but the next layer \"", config.layers[i + 1], "\" needs ",
              u[0] * u[1] * u[2]));
        }
        out = Scaled(u[0], m, last) * u[1] * u[2];
      }
      built.net.Add(config.spectral_norm
                        ? MakeSpectralNormLinear(shape[0], out, true, options)
                        : MakeLinear(shape[0], out, true, options));
      if (spec.kind == "FC_B") {
        built.net.Add(MakeBatchNorm(out, 0, options, config.batchnorm_tangent));
      }
      if (spec.kind != "LIN") {
        if (auto a = MakeActivation(config.hidden_activation, config.softplus_beta)) {
          built.net.Add(std::move(a));
        }
      }
      shape = {out};
    } else if (spec.kind == "PAD") {
      if (!image) {
        return absl::InvalidArgumentError(absl::StrCat(
            "network layer ", i, " \"", config.layers[i], "\": PAD needs an image input"));
      }
      built.net.Add(MakeZeroPad2d(spec.args[0]));
      shape[1] += 2 * spec.args[0];
      shape[2] += 2 * spec.args[0];
    } else if (spec.kind == "CROP") {
      if (!image || shape[1] <= 2 * spec.args[0] || shape[2] <= 2 * spec.args[0]) {
        return absl::InvalidArgumentError(absl::StrCat(
            "network layer ", i, " \"", config.layers[i], "\": CROP needs an image larger than ",
            2 * spec.args[0], "x", 2 * spec.args[0]));
      }
      built.net.Add(MakeCrop2d(spec.args[0]));
      shape[1] -= 2 * spec.args[0];
      shape[2] -= 2 * spec.args[0];
    } else if (spec.kind == "UNFLATTEN") {
      const int64_t c = Scaled(spec.args[0], m, last);
      if (image || shape[0] != c * spec.args[1] * spec.args[2]) {
        return absl::InvalidArgumentError(absl::StrCat(
            "network layer ", i, " \"", config.layers[i], "\": UNFLATTEN needs a vector of ",
            c * spec.args[1] * spec.args[2], " values, got shape [", absl::StrJoin(shape, ","),
            "]"));
      }
      built.net.Add(MakeUnflatten({c, spec.args[1], spec.args[2]}));
      shape = {c, spec.args[1], spec.args[2]};
    } else {
      if (!image) {
        built.net.Add(MakeUnflatten({shape[0], 1, 1}));
        shape = {shape[0], 1, 1};
      }
      const int64_t c = Scaled(spec.args[0], m, last);
      const int64_t k = spec.args[1], s = spec.args[2], p = spec.args[3];
      const bool transpose =
          spec.kind == "CONVT" || spec.kind == "CONVT_A" || spec.kind == "CONVT_B";
      int64_t h, w;
      if (transpose) {
        built.net.Add(MakeConvTranspose2d(shape[0], c, k, s, p, 0, true, options,
                                          config.spectral_norm ? 1 : 0));
        h = (shape[1] - 1) * s - 2 * p + k;
        w = (shape[2] - 1) * s - 2 * p + k;
      } else {
        built.net.Add(MakeConv2d(shape[0], c, k, s, p, true, options,
                                 config.spectral_norm ? 1 : 0));
        h = (shape[1] + 2 * p - k) / s + 1;
        w = (shape[2] + 2 * p - k) / s + 1;
        if (shape[1] + 2 * p < k || shape[2] + 2 * p < k) h = w = 0;
      }
      if (h <= 0 || w <= 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "network layer ", i, " \"", config.layers[i], "\" maps a ",
            shape[1], "x", shape[2], " input to an empty output"));
      }
      if (spec.kind == "CONV_B" || spec.kind == "CONVT_B") {
        built.net.Add(MakeBatchNorm(c, 2, options, config.batchnorm_tangent));
      }
      if (spec.kind != "CONV" && spec.kind != "CONVT") {
        if (auto a = MakeActivation(config.hidden_activation, config.softplus_beta)) {
          built.net.Add(std::move(a));
        }
      }
      shape = {c, h, w};
    }
  }
  if (auto a = MakeActivation(config.output_activation, config.softplus_beta)) {
    built.net.Add(std::move(a));
  }
  // A final 1x1 feature map is a code vector (the L-CNN encoder ends so).
  if (shape.size() == 3 && shape[1] == 1 && shape[2] == 1) {
    built.net.Add(MakeFlatten());
    shape = {shape[0]};
  }
  built.output_shape = shape;
  // Dry run: catches anything the shape arithmetic above missed.
  std::vector<int64_t> batch_shape = {2};
  batch_shape.insert(batch_shape.end(), config.input_shape.begin(),
                     config.input_shape.end());
  absl::Status dry = TorchCall(
      "network dry run",
      [&] {
        at::NoGradGuard no_grad;
        built.net.SetTraining(false);
        at::Tensor y = built.net.Forward(at::zeros(batch_shape, options));
        built.net.SetTraining(true);
        std::vector<int64_t> got(y.sizes().begin() + 1, y.sizes().end());
        if (got != built.output_shape) {
          throw std::runtime_error(absl::StrCat(
              "output shape [", absl::StrJoin(got, ","), "] != expected [",
              absl::StrJoin(built.output_shape, ","), "]"));
        }
      },
      absl::StatusCode::kInvalidArgument);
  ISOAE_RETURN_IF_ERROR(dry);
  return built;
}

AutoencoderConfig SymmetricMlp(int64_t data_dim, int64_t latent_dim, int64_t width,
                               int depth, int64_t encoder_out) {
  AutoencoderConfig c;
  c.encoder.input_shape = {data_dim};
  c.decoder.input_shape = {latent_dim};
  for (int i = 0; i < depth; ++i) {
    c.encoder.layers.push_back(absl::StrCat("FC ", width));
    c.decoder.layers.push_back(absl::StrCat("FC ", width));
  }
  c.encoder.layers.push_back(absl::StrCat("LIN ", encoder_out > 0 ? encoder_out : latent_dim));
  c.decoder.layers.push_back(absl::StrCat("LIN ", data_dim));
  return c;
}

AutoencoderConfig SurfacesMlp(int64_t data_dim, int64_t latent_dim, int64_t width, int depth) {
  return SymmetricMlp(data_dim, latent_dim, width, depth, latent_dim);
}

AutoencoderConfig FcNn(int64_t data_dim, int64_t latent_dim) {
  AutoencoderConfig c;
  c.encoder.input_shape = {data_dim};
  c.encoder.layers = {"FC_B 128", "FC_B 256", "FC_B 512", "FC_B 1024",
                      absl::StrCat("LIN ", latent_dim)};
  c.decoder.input_shape = {latent_dim};
  c.decoder.layers = {"FC_B 1024", "FC_B 512", "FC_B 256", "FC_B 128",
                      absl::StrCat("LIN ", data_dim)};
  return c;
}

AutoencoderConfig SCnn(int64_t latent_dim) {
  AutoencoderConfig c;
  c.encoder.input_shape = {1, 28, 28};
  c.encoder.layers = {"PAD 2", "CONV_B 32,4,2,1", "CONV_B 64,4,2,1",
                      "CONV_B 128,4,2,1", "CONV_B 256,4,2,0",
                      absl::StrCat("LIN ", latent_dim)};
  c.decoder.input_shape = {latent_dim};
  c.decoder.layers = {"FC 256", "CONVT_B 128,4,1,0", "CONVT_B 64,4,2,1",
                      "CONVT 32,4,2,1", "CONVT 1,4,2,3"};
  return c;
}

AutoencoderConfig LCnn(int64_t latent_dim) {
  AutoencoderConfig c;
  c.encoder.input_shape = {1, 128, 128};
  c.encoder.layers = {"CONV_B 128,4,2,1",  "CONV_B 256,4,2,1",
                      "CONV_B 512,4,2,1",  "CONV_B 1024,4,2,1",
                      "CONV_B 2048,4,2,1", "CONV_B 4096,4,2,1",
                      absl::StrCat("CONV ", latent_dim, ",2,2,0")};
  c.decoder.input_shape = {latent_dim};
  c.decoder.layers = {"CONVT_B 2048,4,1,0", "CONVT_B 1024,4,2,1",
                      "CONVT_B 512,4,2,1",  "CONVT_B 256,4,2,1",
                      "CONVT_B 128,4,2,1",  "CONVT 1,4,2,1"};
  return c;
}

AutoencoderConfig IrvaeFc(int64_t data_dim, int64_t latent_dim,
                          int64_t encoder_out) {
  AutoencoderConfig c = SymmetricMlp(data_dim, latent_dim, 256, 4, encoder_out);
  c.encoder.hidden_activation = c.decoder.hidden_activation = Activation::kReLU;
  c.decoder.output_activation = Activation::kSigmoid;
  return c;
}

AutoencoderConfig IrvaeCmuFc(int64_t data_dim, int64_t latent_dim, int64_t encoder_out) {
  AutoencoderConfig c = SymmetricMlp(data_dim, latent_dim, 512, 2, encoder_out);
  c.encoder.hidden_activation = c.decoder.hidden_activation = Activation::kReLU;
  c.decoder.output_activation = Activation::kTanh;
  return c;
}

AutoencoderConfig IrvaeCelebaCnn(int64_t latent_dim, int64_t encoder_out) {
  AutoencoderConfig c;
  c.encoder.input_shape = {3, 64, 64};
  c.encoder.layers = {"CONV_A 128,5,2,0", "CONV_A 256,5,2,0", "CONV_A 512,5,2,0",
                      "CONV_A 1024,5,2,0",
                      absl::StrCat("CONV ", encoder_out > 0 ? encoder_out : latent_dim, ",1,1,0")};
  c.decoder.input_shape = {latent_dim};
  c.decoder.layers = {"CONVT_A 1024,8,1,0", "CONVT_A 512,4,2,1", "CONVT_A 256,4,2,1",
                      "CONVT_A 128,4,2,1", "CONVT 3,1,1,0"};
  c.encoder.hidden_activation = c.decoder.hidden_activation = Activation::kReLU;
  c.decoder.output_activation = Activation::kTanh;
  return c;
}

absl::StatusOr<AutoencoderConfig> IrvaeImageCnn(int64_t data_dim, int64_t latent_dim,
                                                int64_t encoder_out) {
  int64_t channels, size;
  if (data_dim == 28 * 28) {
    channels = 1, size = 28;
  } else if (data_dim == 32 * 32) {
    channels = 1, size = 32;
  } else if (data_dim == 3 * 32 * 32) {
    channels = 3, size = 32;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "irvae_cnn takes 28x28 or 32x32 images with 1 or 3 channels (784, 1024 or 3072 "
        "values per item), got ",
        data_dim));
  }
  AutoencoderConfig c;
  c.encoder.input_shape = {channels, size, size};
  if (size == 28) c.encoder.layers.push_back("PAD 2");
  for (const char* l : {"CONV_A 32,4,2,0", "CONV_A 64,4,2,0", "CONV_A 128,4,2,0",
                        "CONV_A 256,2,2,0"}) {
    c.encoder.layers.push_back(l);
  }
  c.encoder.layers.push_back(
      absl::StrCat("CONV ", encoder_out > 0 ? encoder_out : latent_dim, ",1,1,0"));
  c.decoder.input_shape = {latent_dim};
  c.decoder.layers = {size == 28 ? "CONVT_A 256,7,1,0" : "CONVT_A 256,8,1,0",
                      "CONVT_A 128,4,2,1", "CONVT_A 64,4,2,1",
                      absl::StrCat("CONVT ", channels, ",1,1,0")};
  c.encoder.hidden_activation = c.decoder.hidden_activation = Activation::kReLU;
  c.decoder.output_activation = Activation::kSigmoid;
  return c;
}

absl::StatusOr<AutoencoderConfig> IaeGeneralizationCnn(int64_t data_dim, int64_t latent_dim) {
  AutoencoderConfig c;
  int64_t channels, kernel, map;
  if (data_dim == 28 * 28) {
    c.encoder.input_shape = {1, 28, 28};
    c.encoder.layers = {"PAD 2"};
    channels = 1, kernel = 4, map = 4;
  } else if (data_dim == 3 * 32 * 32) {
    c.encoder.input_shape = {3, 32, 32};
    channels = 3, kernel = 4, map = 4;
  } else if (data_dim == 3 * 64 * 64) {
    c.encoder.input_shape = {3, 64, 64};
    channels = 3, kernel = 5, map = 8;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "iae_gen_cnn takes MNIST 1x28x28, CIFAR-10 3x32x32 or CelebA 3x64x64 images (784, "
        "3072 or 12288 values per item), got ",
        data_dim));
  }
  for (int64_t width : {128, 256, 512, 1024}) {
    c.encoder.layers.push_back(absl::StrCat("CONV_B ", width, ",", kernel, ",2,1"));
  }
  c.encoder.layers.push_back(absl::StrCat("LIN ", latent_dim));
  c.decoder.input_shape = {latent_dim};
  c.decoder.layers = {absl::StrCat("FC ", 1024 * map * map),
                      absl::StrCat("UNFLATTEN 1024,", map, ",", map),
                      "CONVT_B 512,4,2,1",
                      "CONVT_B 256,4,2,1",
                      "CONVT_B 128,4,2,1",
                      absl::StrCat("CONVT ", channels, ",1,1,0")};
  if (data_dim == 28 * 28) c.decoder.layers.push_back("CROP 2");
  return c;
}

absl::StatusOr<AutoencoderConfig> NamedArchitecture(const std::string& name,
                                                    int64_t data_dim,
                                                    int64_t latent_dim,
                                                    int64_t encoder_out) {
  if (latent_dim < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("latent dimension must be >= 1, got ", latent_dim));
  }
  AutoencoderConfig c;
  if (name == "irvae_fc") {
    c = IrvaeFc(data_dim, latent_dim);
  } else if (name == "irvae_cmu_fc") {
    c = IrvaeCmuFc(data_dim, latent_dim);
  } else if (name == "irvae_celeba_cnn") {
    c = IrvaeCelebaCnn(latent_dim);
  } else if (name == "irvae_cnn") {
    ISOAE_ASSIGN_OR_RETURN(c, IrvaeImageCnn(data_dim, latent_dim));
  } else if (name == "fc_nn") {
    c = FcNn(data_dim, latent_dim);
  } else if (name == "s_cnn") {
    c = SCnn(latent_dim);
  } else if (name == "l_cnn") {
    c = LCnn(latent_dim);
  } else if (name == "iae_gen_cnn") {
    ISOAE_ASSIGN_OR_RETURN(c, IaeGeneralizationCnn(data_dim, latent_dim));
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "architecture '", name, "' (known: irvae_fc, irvae_cmu_fc, irvae_cnn, irvae_celeba_cnn, fc_nn, s_cnn, l_cnn, iae_gen_cnn)"));
  }
  if (encoder_out > 0 && encoder_out != latent_dim) {
    // The last encoder layer is "LIN n" or "CONV n,k,s,p": n is its output count.
    std::string& last = c.encoder.layers.back();
    const size_t space = last.find(' ');
    const size_t comma = last.find(',', space);
    last = absl::StrCat(last.substr(0, space + 1), encoder_out,
                        comma == std::string::npos ? "" : last.substr(comma));
  }
  return c;
}

void ApplyArchitectureOptions(const ArchitectureOptions& options, AutoencoderConfig* config) {
  if (options.tied_weights) config->tied_weights = true;
  if (options.decoder_spectral_norm) config->decoder.spectral_norm = true;
}

absl::Status TieDecoderToEncoder(Sequential& encoder, Sequential* decoder) {
  auto linear_layers = [](Sequential& net, const char* which,
                          std::vector<Layer*>* out) -> absl::Status {
    for (size_t i = 0; i < net.size(); ++i) {
      Layer& layer = net.layer(i);
      if (LinearShapeOf(layer)) {
        out->push_back(&layer);
      } else if (IsConvolution(layer)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "tied weights: the ", which, " has a convolution (layer ", i, ", ",
            layer.Describe(), "); only fully connected networks can be tied"));
      }
    }
    return absl::OkStatus();
  };
  std::vector<Layer*> enc, dec;
  ISOAE_RETURN_IF_ERROR(linear_layers(encoder, "encoder", &enc));
  ISOAE_RETURN_IF_ERROR(linear_layers(*decoder, "decoder", &dec));
  if (enc.size() != dec.size() || enc.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tied weights: the encoder has ", enc.size(), " Linear layers and the decoder ",
        dec.size(), "; they must mirror each other"));
  }
  // Check every pair first, so that a refusal leaves both networks untied.
  for (size_t i = 0; i < dec.size(); ++i) {
    const LinearShape e = *LinearShapeOf(*enc[enc.size() - 1 - i]);
    const LinearShape d = *LinearShapeOf(*dec[i]);
    if (e.in != d.out || e.out != d.in || d.spectral_norm || e.tied || d.tied) {
      return absl::InvalidArgumentError(absl::StrCat(
          "tied weights: decoder ", dec[i]->Describe(), " cannot apply the transpose of encoder ",
          enc[enc.size() - 1 - i]->Describe(), " (Linear layers must mirror: a VAE encoder ",
          "ends in 2d outputs and cannot be tied)"));
    }
  }
  for (size_t i = 0; i < dec.size(); ++i) {
    CHECK(TieLinearTransposed(*enc[enc.size() - 1 - i], dec[i]));
  }
  return absl::OkStatus();
}

}  // namespace isoae
