// bazel run //irvae:retrieval -- --data_dir=<CelebA copy> [--device=cuda]
//     [--flagfile=irvae/retrieval_paper.flags] [flags]
//
// IRVAE section 5.2, Tables 1 and 4: unsupervised CelebA face retrieval in
// the 128-D latent spaces of VAE, FMVAE, IRVAE and IRVAE + FM (D.3 networks).
// See irvae/retrieval.h for the protocol and outputs. One epoch of the D.3
// networks over 162,770 images is hours on a 2-core CPU: run it on a GPU
// (--device=cuda with a CUDA LibTorch, docs/setup.md).
#include <iostream>

#include "core/device.h"
#include "core/main_init.h"
#include "core/train_flags.h"
#include "datasets/dataset_flags.h"
#include "gflags/gflags.h"
#include "irvae/flattening_flags.h"
#include "irvae/retrieval.h"

DEFINE_bool(vae, true, "train the unregularised VAE");
DEFINE_double(fmvae_alpha, 1, "FMVAE weight (D.3: best of 0.1, 1, 10, 100); < 0 skips FMVAE");
DEFINE_double(irvae_alpha, 10, "IRVAE weight (D.3: best of 1, 10, 100, 1000); < 0 skips IRVAE");
DEFINE_int64(latent_dim, 128, "latent dimension (D.3: 128)");
DEFINE_string(method_options, "", "key=value,... for the regularisers (e.g. eta=0.2)");
DEFINE_int64(max_test_items, 0, "test images (0: the whole test split)");
DEFINE_string(output_dir, "out/irvae_retrieval", "tables, histories, checkpoints");

int main(int argc, char** argv) {
  isoae::SetTrainFlagDefaults({.epochs = 10, .batch_size = 100, .lr = 1e-4,
                               .checkpoint_every = 500});
  gflags::SetCommandLineOptionWithMode("dataset", "celeba", gflags::SET_FLAGS_DEFAULT);
  // D.3: FM with the stabilising term beta = 100 and Adam 1e-5; with m = 128
  // the Hutchinson estimator (exact traces would take 128 tangents).
  gflags::SetCommandLineOptionWithMode("fm_options", "fm_beta=100", gflags::SET_FLAGS_DEFAULT);
  gflags::SetCommandLineOptionWithMode("fm_lr", "1e-5", gflags::SET_FLAGS_DEFAULT);
  isoae::InitMain("IRVAE Tables 1/4: CelebA attribute retrieval (P@K)", &argc, &argv);
  absl::StatusOr<isoae::ExperimentFlags> flags = isoae::ExperimentFlagsFromCommandLine();
  if (!flags.ok()) return isoae::ReportError(flags.status());
  const isoae::TrainFlags* train = &flags->train;
  const isoae::DatasetRequest* data = &flags->data;
  const isoae::FlatteningPlan* fm = &flags->fm;
  isoae::RetrievalConfig c;
  c.data = *data;
  c.latent_dim = FLAGS_latent_dim;
  c.run_vae = FLAGS_vae;
  c.fmvae_alpha = FLAGS_fmvae_alpha;
  c.irvae_alpha = FLAGS_irvae_alpha;
  c.method_options = FLAGS_method_options;
  c.train = train->train;
  c.fm = *fm;
  c.device = train->device_name;
  c.max_test_items = FLAGS_max_test_items;
  c.output_dir = isoae::ResolveUserPath(FLAGS_output_dir);
  if (!isoae::WriteFlagsFile(c.output_dir)) return 1;
  absl::StatusOr<isoae::RetrievalReport> r = isoae::RunRetrievalExperiment(c);
  if (!r.ok()) return isoae::ReportError(r.status());
  std::cout << "\nCelebA retrieval, P@K in % (IRVAE Table 1)\n"
            << r->table_text << "\nPer-attribute P@10 (Table 4) and results in " << c.output_dir
            << "\n";
  return 0;
}
