// Trains a plain autoencoder (reconstruction loss only) on a dataset of the
// registry and writes a checkpoint that //tools:evaluate reads: the AE
// baseline of both papers, and the quickest way to a model to evaluate.
//
//   bazel run //tools:train_ae -- --dataset=fashion_mnist --arch=irvae_fc \
//       --epochs=5 --checkpoint=out/ae_fmnist.pt
//   bazel run //tools:evaluate -- --dataset=fashion_mnist \
//       --checkpoint=out/ae_fmnist.pt
//
// Loss: sum of squared errors over the item's elements, mean over the batch
// (core/autoencoder.h). Batches stay uint8 until used. Checkpoints (model +
// Adam state) are written atomically every --checkpoint_every steps; rerun
// with --resume to continue. Exit codes: 0 ok, 1 failure, 2 bad flags.
#include <torch/torch.h>

#include <cmath>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "core/autoencoder.h"
#include "core/device.h"
#include "core/main_init.h"
#include "core/networks.h"
#include "core/trainer.h"
#include "datasets/dataset_flags.h"
#include "datasets/registry.h"
#include "datasets/tensor_adapter.h"
#include "gflags/gflags.h"

DEFINE_string(arch, "irvae_fc", "irvae_fc | fc_nn | s_cnn | l_cnn");
DEFINE_int64(latent_dim, 2, "latent dimension");
DEFINE_int64(epochs, 10, "training epochs");
DEFINE_int64(batch_size, 100, "mini-batch size (0: full batch)");
DEFINE_double(lr, 1e-3, "Adam learning rate");
DEFINE_uint64(seed, 0, "initialisation and data-order seed");
DEFINE_string(checkpoint, "out/ae.pt", "checkpoint path");
DEFINE_int64(checkpoint_every, 1000, "checkpoint period in steps (0: end only)");
DEFINE_bool(resume, false, "continue from --checkpoint");
DEFINE_string(device, "cpu", "cpu | cuda | cuda:N | auto");
DEFINE_int32(threads, 0, "LibTorch/OpenBLAS threads (0: all cores)");

namespace {

absl::Status Run() {
  if (FLAGS_epochs < 1) {
    return absl::InvalidArgumentError(absl::StrCat("--epochs must be >= 1, got ", FLAGS_epochs));
  }
  if (FLAGS_batch_size < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--batch_size must be >= 0 (0: full batch), got ", FLAGS_batch_size));
  }
  if (!(FLAGS_lr > 0) || !std::isfinite(FLAGS_lr)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--lr must be a positive finite number, got ", FLAGS_lr));
  }
  if (FLAGS_threads < 0) {
    return absl::InvalidArgumentError(absl::StrCat("--threads must be >= 0, got ", FLAGS_threads));
  }
  isoae::SetTorchThreads(FLAGS_threads);
  absl::StatusOr<c10::Device> device = isoae::ParseDevice(FLAGS_device);
  if (!device.ok()) return device.status();
  absl::StatusOr<isoae::DatasetRequest> request = isoae::DatasetRequestFromFlags();
  if (!request.ok()) return request.status();
  absl::StatusOr<isoae::DatasetSplits> splits = isoae::LoadDatasetSplits(*request);
  if (!splits.ok()) return splits.status();
  const int64_t data_dim = splits->train.item_size();
  absl::StatusOr<isoae::AutoencoderConfig> arch =
      isoae::NamedArchitecture(FLAGS_arch, data_dim, FLAGS_latent_dim);
  if (!arch.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--arch: ", arch.status().message()));
  }
  torch::manual_seed(FLAGS_seed);
  absl::StatusOr<isoae::Autoencoder> ae =
      isoae::BuildAutoencoder(*arch, torch::TensorOptions().device(*device));
  if (!ae.ok()) return ae.status();
  int64_t in_size = 1;
  for (int64_t s : ae->data_shape) in_size *= s;
  if (in_size != data_dim) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--arch ", FLAGS_arch, " takes ", in_size, " values per item; ",
        splits->train.name, " items have ", data_dim));
  }
  std::cout << "training " << FLAGS_arch << " (" << ae->encoder.NumParameters() +
                   ae->decoder.NumParameters()
            << " parameters) on " << splits->train.size() << " items of "
            << splits->train.name << "\n";
  absl::StatusOr<at::Tensor> data = isoae::TakeDatasetTensor(std::move(splits->train));
  if (!data.ok()) return data.status();
  std::vector<int64_t> shape = {-1};
  shape.insert(shape.end(), ae->data_shape.begin(), ae->data_shape.end());
  isoae::TrainConfig tc;
  tc.epochs = FLAGS_epochs;
  tc.batch_size = FLAGS_batch_size;
  tc.learning_rate = FLAGS_lr;
  tc.seed = FLAGS_seed;
  tc.checkpoint_path = isoae::ResolveUserPath(FLAGS_checkpoint);
  tc.checkpoint_every = FLAGS_checkpoint_every;
  tc.resume = FLAGS_resume;
  tc.fingerprint = absl::StrCat(ae->Fingerprint(), "; train_ae; dataset ", request->name);
  tc.log_prefix = absl::StrCat(request->name, "/AE");
  ae->SetTraining(true);
  const auto loss = [&](const at::Tensor& batch) {
    const at::Tensor x = isoae::BatchToFloat(batch, *device).reshape(shape);
    const isoae::AeForward fw = isoae::RunAutoencoder(*ae, x);
    const at::Tensor rec = isoae::ReconstructionLoss(x, fw.x_hat);
    return isoae::LossTerms{rec, {{"rec", rec}}};
  };
  absl::StatusOr<isoae::TrainHistory> h =
      isoae::Train(tc, ae->Parameters(), ae->State(), *data, loss);
  if (!h.ok()) return h.status();
  const std::vector<double>& rec = h->terms["rec"];
  std::cout << "final reconstruction loss " << (rec.empty() ? 0.0 : rec.back()) << " after "
            << h->final_step << " steps (" << h->seconds << " s); checkpoint "
            << tc.checkpoint_path << "\n";
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  isoae::InitMain("Trains a plain autoencoder on a dataset and checkpoints it", &argc,
                  &argv);
  const absl::Status s = Run();
  if (!s.ok()) {
    std::cerr << "error: " << s << "\n";
    return s.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }
  return 0;
}
