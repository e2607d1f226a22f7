// bazel run //irvae:bench [-- --items=50000 --threads=1]
//
// IRVAE appendix E.4, Table 2: per-epoch training time of VAE, FMVAE, IRVAE
// and the flattening module (FM: Real NVP depth 8, width 512, on a VAE of
// the same networks) with the D.1 MNIST networks (784-256x4 ReLU, sigmoid output, latent
// 2), batch 100, float32, on --items synthetic training items (the paper:
// 50,000 MNIST digits; the time does not depend on the pixel values). Each
// method runs through the same path the experiments run: the registry's
// method, core/trainer's Train (batch gather, uint8 -> float, loss, backward,
// Adam, NaN checks): --timed_epochs epochs after a warm-up epoch of
// --warmup_items, each preceded by a measurement of the sgemm rate; medians
// are reported (the machine's speed drifts between runs).
//
// Next to each time it prints the step's multiply-adds (from the Linear
// layers' shapes: forward, backward for inputs and weights, and the
// regulariser's tangent / VJP passes and their backward) and the GEMM-bound
// time: those multiply-adds over the sgemm rate measured here on the same
// matrix shapes. Paper (RTX 3090): VAE 1.91 s, FMVAE 2.80 s, IRVAE 2.81 s,
// FM 19.9 s per epoch.
#include <gflags/gflags.h>
#include "third_party/torch_light.h"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "core/main_init.h"
#include "core/method.h"
#include "core/model_builder.h"
#include "core/networks.h"
#include "core/trainer.h"
#include "datasets/tensor_adapter.h"
#include "irvae/flattening.h"

DEFINE_int64(items, 50000, "training items per timed epoch (paper: 50,000)");
DEFINE_int64(warmup_items, 2000, "items of the untimed warm-up epoch");
DEFINE_int64(batch_size, 100, "batch size (paper: 100)");
DEFINE_string(methods, "vae,fmvae:1,irvae:100,fm", "method specs to time");
DEFINE_string(method_options, "",
              "key=value,... options for every method that reads them (e.g. fused=0: the "
              "regularisers' layer-by-layer passes instead of core/fused_mlp's node)");
DEFINE_int32(threads, 0, "LibTorch and OpenBLAS threads (0: all cores)");
DEFINE_int32(timed_epochs, 3,
             "epochs timed per method; the median is reported (the sgemm rate is a median too)");

namespace {

struct Shape {
  int64_t in, out;
};

// [out, in] weights of the Linear layers of a network.
std::vector<Shape> LinearShapes(isoae::Layer& net) {
  std::vector<isoae::NamedTensor> params;
  net.AppendParameters("", &params);
  std::vector<Shape> out;
  for (const auto& p : params) {
    if (p.tensor.dim() == 2) out.push_back({p.tensor.size(1), p.tensor.size(0)});
  }
  return out;
}

double Macs(const std::vector<Shape>& s) {
  double m = 0;
  for (const Shape& x : s) m += static_cast<double>(x.in) * x.out;
  return m;
}

// Multiply-adds per second of at::mm over the products a training step does
// with each Linear layer at batch b: forward x W^T, input gradient g W and
// weight gradient g^T x (the same multiply-adds, different shapes and
// transpositions; K = b for the last).
double MeasuredSgemmRate(const std::vector<Shape>& shapes, int64_t b) {
  std::vector<torch::Tensor> xs, gs, ws;
  for (const Shape& s : shapes) {
    xs.push_back(torch::randn({b, s.in}));
    gs.push_back(torch::randn({b, s.out}));
    ws.push_back(torch::randn({s.out, s.in}));
  }
  const double macs = 3 * Macs(shapes) * b;
  std::vector<double> rates;
  for (int rep = 0; rep < 7; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    const int loops = 30;
    for (int l = 0; l < loops; ++l) {
      for (size_t i = 0; i < xs.size(); ++i) {
        (void)torch::mm(xs[i], ws[i].t());
        (void)torch::mm(gs[i], ws[i]);
        (void)torch::mm(gs[i].t(), xs[i]);
      }
    }
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rates.push_back(macs * loops / s);
  }
  std::sort(rates.begin(), rates.end());
  return rates[rates.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  isoae::InitMain("IRVAE Table 2: per-epoch runtime of VAE, FMVAE, IRVAE", &argc, &argv);
  isoae::SetTorchThreads(FLAGS_threads);
  if (FLAGS_items < FLAGS_batch_size || FLAGS_batch_size < 1 || FLAGS_warmup_items < 0 ||
      FLAGS_timed_epochs < 1) {
    std::cerr << "error: need --batch_size >= 1, --items >= --batch_size, --warmup_items >= 0, "
                 "--timed_epochs >= 1\n";
    return 2;
  }
  const int64_t b = FLAGS_batch_size;
  torch::manual_seed(0);
  const torch::Tensor data = torch::randint(0, 256, {FLAGS_items, 784}, torch::kUInt8);
  const torch::Tensor warm = data.slice(0, 0, std::max<int64_t>(b, FLAGS_warmup_items));
  std::cout << absl::StrFormat(
      "IRVAE D.1 nets (784-256x4-2, ReLU, sigmoid), batch %d, %d items per epoch, float32, "
      "LibTorch threads %d, OpenBLAS kernels %s\n",
      b, FLAGS_items, at::get_num_threads(),
      isoae::OpenBlasCoreName().empty() ? "(not OpenBLAS)" : isoae::OpenBlasCoreName());
  const std::vector<std::string> specs = absl::StrSplit(FLAGS_methods, ',', absl::SkipEmpty());
  absl::StatusOr<isoae::MethodOptions> options = isoae::MethodOptions::Parse(FLAGS_method_options);
  if (!options.ok()) {
    std::cerr << "error: --method_options: " << options.status().message() << "\n";
    return 2;
  }
  // The whole list first: a key no method reads, or a bad spec, is an error.
  if (absl::Status s = isoae::BuildMethods(specs, *options).status(); !s.ok()) {
    std::cerr << "error: --methods / --method_options: " << s.message() << "\n";
    return 2;
  }
  for (const std::string& spec : specs) {
    absl::StatusOr<isoae::Method> method = isoae::BuildMethodOfList(spec, *options);
    if (!method.ok()) {
      std::cerr << "error: --methods: " << method.status().message() << "\n";
      return 2;
    }
    const bool flat = method->Kind() == isoae::ModelKind::kFlattened;
    torch::manual_seed(1);
    absl::StatusOr<std::unique_ptr<isoae::Model>> model = isoae::BuildNamedModel(
        flat ? isoae::ModelKind::kVae : method->Kind(), "irvae_fc", 784, 2,
        torch::TensorOptions());
    if (model.ok() && flat) {
      absl::StatusOr<std::unique_ptr<isoae::FlattenedModel>> fm =
          isoae::FlattenModel(std::move(*model), isoae::RealNvpOptions{});
      if (fm.ok()) {
        model = std::unique_ptr<isoae::Model>(std::move(*fm));
      } else {
        model = fm.status();
      }
    }
    if (!model.ok()) {
      std::cerr << "error: " << model.status().message() << "\n";
      return 1;
    }
    isoae::Model& m = **model;
    const std::vector<Shape> enc = LinearShapes(m.EncoderNet());
    std::vector<Shape> dec, flow;
    if (flat) {
      auto& fm = static_cast<isoae::FlattenedModel&>(m);
      dec = LinearShapes(fm.base().DecoderMap());
      flow = LinearShapes(fm.flow());
    } else {
      dec = LinearShapes(m.DecoderMap());
    }
    std::vector<Shape> all = enc;
    all.insert(all.end(), dec.begin(), dec.end());
    all.insert(all.end(), flow.begin(), flow.end());
    if (&spec == &specs.front()) {
      std::cout << absl::StrFormat("%-28s %10s %10s %12s %10s %12s %8s\n", "method", "s/epoch",
                                   "ms/step", "MMAC/step", "GMAC/s", "bound ms", "ours/bound");
    }
    // Per sample: forward E + D, backward 2 (E + D) less the encoder's first
    // input gradient (the data needs none); a Jacobian regulariser
    // adds a decoder pass with tangents (value + k tangents) and, for IRVAE,
    // a VJP (one decoder's worth), each with a backward twice its size.
    // FM: the frozen encoder forward only, h forward and backward, and the
    // regulariser's passes through h^-1 and the decoder (F + D) with their
    // backward; the frozen decoder's weights get no gradient, so its part of
    // that backward is the input gradients alone (2 D per pass, not 3 D).
    double per_sample = flat ? Macs(enc) + 3 * Macs(flow)
                             : 3 * (Macs(enc) + Macs(dec)) - Macs({enc.front()});
    bool has_rd = false, has_fm = false;
    for (const auto& t : method->terms()) {
      if (t.name == "relaxed_distortion") has_rd = true;
      if (t.name == "fmvae_flatness") has_fm = true;
    }
    if (has_rd) {  // value + 1 tangent + VJP
      per_sample += 3 * 3 * Macs(flow) + (flat ? 3 * 2 : 3 * 3) * Macs(dec);
    }
    if (has_fm) per_sample += 3 * 3 * Macs(dec);  // value + 2 tangents
    const double step_macs = per_sample * b;
    const std::vector<int64_t> shape = {-1, 784};
    auto run = [&](const torch::Tensor& items, int64_t seed) {
      isoae::TrainConfig tc;
      tc.epochs = 1;
      tc.batch_size = b;
      tc.learning_rate = 1e-4;
      tc.seed = seed;
      tc.quiet = true;
      m.SetTraining(true);
      return isoae::Train(tc, m.Parameters(), m.State(), items, [&](const at::Tensor& x) {
        return method->Loss(m, isoae::BatchToFloat(x).reshape(shape));
      });
    };
    absl::StatusOr<isoae::TrainHistory> w = run(warm, 1);
    if (!w.ok()) {
      std::cerr << "error: " << w.status() << "\n";
      return 1;
    }
    // The machine's speed drifts (this VM's sgemm rate moved between 55 and
    // 61 GMAC/s within minutes): each timed epoch gets the rate measured
    // right before it, and the reported ratio is the median of the epochs'.
    std::vector<double> epoch_seconds, rates, ratios;
    double steps = 0;
    for (int e = 0; e < FLAGS_timed_epochs; ++e) {
      rates.push_back(MeasuredSgemmRate(all, b));
      absl::StatusOr<isoae::TrainHistory> h = run(data, 2 + e);
      if (!h.ok()) {
        std::cerr << "error: " << h.status() << "\n";
        return 1;
      }
      epoch_seconds.push_back(h->seconds);
      steps = static_cast<double>(h->final_step);
      ratios.push_back(h->seconds / steps / (step_macs / rates.back()));
    }
    auto median = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      return v[v.size() / 2];
    };
    const double seconds = median(epoch_seconds);
    const double rate = median(rates);
    const double ms = 1000 * seconds / steps;
    const double bound_ms = 1000 * step_macs / rate;
    std::cout << absl::StrFormat("%-28s %10.2f %10.2f %12.1f %10.1f %12.2f %8.2f\n",
                                 method->Describe(), seconds, ms, step_macs / 1e6, rate / 1e9,
                                 bound_ms, median(ratios));
  }
  std::cout << "\nGMAC/s: sgemm rate measured here on each layer's forward, input-gradient "
               "and weight-gradient products at the batch size, before each timed epoch.\n"
               "s/epoch, GMAC/s, ours/bound: medians over the timed epochs (the ratio per "
               "epoch, against the rate measured just before it).\nPaper (GeForce RTX 3090): VAE 1.91 s, FMVAE 2.80 s, IRVAE 2.81 s, FM "
               "19.9 s per epoch\n";
  return 0;
}
